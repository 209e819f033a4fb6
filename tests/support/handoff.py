"""The held-out hand-off set: requests for a person, ordinary questions about people, and a help desk.

Written for the tests and `bench/bench_handoff.py`, separately from the exemplars in
`aurion/agent/handoff.py` and never used to tune them: no sentence appears in both.
The ordinary questions mention people, teams, hours, staff or humans, and the support
desk below answers every one of them, as a real site's knowledge base would.
"""

from aurion.services.knowledge import create_article
from tests.support.knowledge import HELP_DESK

REQUESTS_FOR_A_PERSON = [
    "I need to talk to a manager",
    "Is there anybody I can talk to?",
    "Please transfer me to customer support",
    "can i speak to a real human",
    "agent please",
    "operator",
    "this bot is useless, get me someone",
    "get me a humna",
    "i wnat to talk to a person",
    "connect me with your support staff",
    "Let me talk to somebody who works there",
    "uh yeah can you put me through to someone",
    "I'd like to chat with a live agent",
    "representative",
    "talk to human",
    "Can a real person help me with this?",
    "I want a human, not a machine",
    "I don't want to talk to a bot anymore",
    "Escalate this to your supervisor please",
    "You're not helping. I want someone from your team.",
    "Put me in touch with customer service",
    "Hello? Is anyone there? I need a real person",
    "could someone from support contact me",
    "I'd rather speak with an actual person",
    "Get a human on the line",
    "stop, i want to talk to your staff",
    "Can you hand me over to a colleague?",
    "pls connect me to someone real",
    "Need a person asap",
    "I'd like to speak to the person in charge",
    "are there any humans there i can chat with",
    "can you get a real agent to look at my problem",
    "speak to someone",
    "customer service rep please",
    "Transfer me",
    "ok forget it, just let me talk to support",
    "Your answers don't help, who can I talk to?",
    "I want to make a complaint to a manager",
    "is a human available right now",
    "hey um could i talk to like an actual person",
    "I need help from a human being",
    "Send me to a live person",
    "Get me your boss",
    "no more bots please",
    "I don't want an automated answer, I want a person to look at this",
]

ORDINARY_QUESTIONS = [
    "When is your support team available?",
    "What are your customer service hours?",
    "Can I add a person to my team account?",
    "How do I invite a colleague to my workspace?",
    "How many people can use one team plan?",
    "Is support open on weekends?",
    "Do humans review flagged content?",
    "Are refund requests checked by a person or automatically?",
    "How do I remove a team member from my account?",
    "Can staff members see my private messages?",
    "What time does your team start working in the morning?",
    "How quickly does your support team usually reply to emails?",
    "Can I change a user's role to admin?",
    "Who in our team can see the invoices?",
    "Does a real person read the feedback I send?",
    "How do I transfer ownership of the workspace to someone else?",
    "Is there a limit on the number of seats per account?",
    "Are your support staff based in Europe?",
    "Do you have support on public holidays?",
    "How do I give my accountant access to billing?",
    "What happens to a member's data when they leave the team?",
    "Is the chat assistant a bot or a human?",
    "How long does human review of a dispute take?",
    "Can two people log in to the same account at once?",
    "What are the opening hours of your phone line?",
    "Does my team get a discount for more users?",
    "How can I see which team member changed a setting?",
    "Who do I contact about a data protection request?",
    "How do I add another admin to my organisation?",
    "Is customer support included in the free plan?",
    "Do you offer a dedicated account manager on the enterprise plan?",
    "What time zone are your support hours in?",
    "How do I reset the password of someone in my team?",
    "Can a guest user edit documents?",
    "Do staff get notified when I submit a ticket?",
    "How big is your support team?",
    "Can I limit what each person on my team can see?",
    "What does the person I invite receive by email?",
    "Does a person check my ID when I verify my account?",
    "how do i leave a team i was added to",
    "Are the support hours different in December?",
    "I don't need a human, just tell me how long refunds take",
    "no need for a person, how do I reset my password?",
]

SUPPORT_HOURS = {
    "title": "Support hours",
    "body": "Our support team answers chat and email Monday to Friday, 8 am to 6 pm Central European Time. "
    "On weekends and public holidays support is closed, and we reply on the next working day.\n\n"
    "During opening hours we reply to emails within four hours. Our phone line is open 9 am to 5 pm "
    "on weekdays. From 20 December to 2 January the support hours are shortened to 9 am to 3 pm.\n\n"
    "The support team is 25 people, based in Lisbon and Berlin.",
    "url": "https://help.example.com/support-hours",
}
TEAM_ACCOUNTS = {
    "title": "Team accounts and members",
    "body": "To add a person to your team account, open Settings > Members and click Invite. The person "
    "you invite receives an email with a link to join; the invitation is valid for seven days.\n\n"
    "A team plan includes 5 seats, and you can buy more seats at any time; from 10 seats every seat "
    "is 20 % cheaper. Each seat belongs to one person: two people cannot share one login, but each "
    "member can sign in on several devices at once.\n\n"
    "To remove a team member, open Settings > Members and choose Remove. Their documents stay in the "
    "workspace. To leave a team you were added to, choose Leave team in your profile.\n\n"
    "The owner can transfer ownership of the workspace to another admin under Settings > Workspace.",
}
ROLES = {
    "title": "Roles and permissions",
    "body": "Every member has a role: owner, admin, member, billing or guest. Admins can change a user's "
    "role, invite members and add other admins. The billing role sees invoices and payment details "
    "only, which suits an accountant; only owners and billing members can see invoices.\n\n"
    "Guests can view and comment on documents they are invited to, but cannot edit them. Admins can "
    "limit which folders each member can see.\n\n"
    "An admin can send a password reset to any member from the Members page. The audit log under "
    "Settings > Security shows which member changed which setting, and when.",
}
HUMAN_REVIEW = {
    "title": "Human review",
    "body": "Content that is flagged by our filters or by other users is reviewed by a person from our "
    "trust and safety team within 24 hours. Refund requests under 100 euros are approved automatically; "
    "larger ones are checked by a person.\n\n"
    "Disputes are reviewed by a member of our billing team within three working days. Identity "
    "verification is automatic; when the document is unclear, a person checks it.\n\n"
    "Every piece of feedback you send is read by our product team.",
}
ABOUT_THE_ASSISTANT = {
    "title": "Our chat assistant",
    "body": "The chat on our website is answered first by an automated assistant, which answers from "
    "our help articles. It is not a human. Our support staff read the conversations it could not "
    "answer. When you submit a ticket, the support staff on duty get a notification and you get an "
    "email with the ticket number.",
}
PLANS = {
    "title": "Plans and support",
    "body": "Support by email is included in every plan, the free plan too; chat and phone support come "
    "with paid plans. Enterprise plans include a dedicated account manager who knows your setup.",
}
PRIVACY = {
    "title": "Privacy and your data",
    "body": "Our staff cannot read your private messages: support can only see a conversation you share "
    "with them. For data protection requests, such as a copy or the deletion of your data, write to "
    "privacy@example.com. When a member leaves a team, their personal data is deleted after 30 days.",
}
SUPPORT_DESK = [*HELP_DESK, SUPPORT_HOURS, TEAM_ACCOUNTS, ROLES, HUMAN_REVIEW, ABOUT_THE_ASSISTANT, PLANS, PRIVACY]


def add_support_desk(widget) -> None:
    """Give `widget` a small, realistic knowledge base: the help desk plus articles about people."""
    for article in SUPPORT_DESK:
        create_article(widget, article)
