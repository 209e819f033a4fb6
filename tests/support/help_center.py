"""A help center of twelve articles, and questions worded unlike them that should find them.

The retrieval tests and bench/bench_retrieval*.py measure the search on it.
"""

ARTICLES = {
    1: (
        "Resetting your password",
        (
            'Open the sign-in page and choose "Forgot password". Enter the email address of your '
            "account and we will send you a reset link that stays valid for 30 minutes.\n\n"
            "Follow the link, pick a new password of at least 12 characters and confirm it. All other "
            "sessions are signed out once the new password is saved.\n\n"
            "If the email does not arrive, check your spam folder or ask your workspace owner to "
            "send a reset from the Members page."
        ),
    ),
    2: (
        "Refund policy",
        (
            "You can request a refund within 14 days of any charge. Go to Billing > Invoices, open the "
            'invoice and click "Request refund".\n\n'
            "Approved refunds are sent back to the original payment method. The money usually appears "
            "on your statement within 5 to 10 business days, depending on your bank.\n\n"
            "Annual plans are refunded pro rata after the first 14 days."
        ),
    ),
    3: (
        "Shipping times and delivery",
        (
            "Orders placed before 2 pm are dispatched the same working day from our warehouse.\n\n"
            "Standard delivery takes 3 to 5 working days within the EU and 7 to 12 working days for "
            "international parcels. Express delivery arrives the next working day.\n\n"
            "You receive a tracking number by email as soon as the parcel leaves the warehouse."
        ),
    ),
    4: (
        "Cancelling your subscription",
        (
            "Workspace owners can end a subscription at any time under Settings > Plan > Cancel "
            "subscription.\n\n"
            "Your plan stays active until the end of the current billing period; you will not be "
            "charged again. Your data is kept for 90 days in case you change your mind."
        ),
    ),
    5: (
        "Two-factor authentication (2FA)",
        (
            "Two-factor authentication adds a second step when you sign in: after your password you "
            "enter a six-digit code from an authenticator app such as Google Authenticator or 1Password.\n\n"
            "Turn it on under Profile > Security > Two-factor authentication and scan the QR code.\n\n"
            "Save your recovery codes somewhere safe. If you lose your phone, a recovery code is the "
            "only way back into the account without contacting support."
        ),
    ),
    6: (
        "API rate limits",
        (
            "Each API key may send 100 requests per minute. Requests above that limit are rejected "
            "with HTTP status 429 and the error code E429.\n\n"
            "The Retry-After header says how many seconds to wait. Use exponential backoff in your "
            "client and batch calls where possible.\n\n"
            "Enterprise plans can ask for a higher limit."
        ),
    ),
    7: (
        "Exporting your data",
        (
            "Admins can download everything stored in a workspace from Settings > Data > Export. "
            "Choose CSV or JSON.\n\n"
            "Large exports are prepared in the background; we email a download link when the archive "
            "is ready. The link expires after 7 days."
        ),
    ),
    8: (
        "Inviting team members",
        (
            'Go to Settings > Members and click "Invite". Enter one or more email addresses and '
            "choose a role: Admin, Agent or Viewer.\n\n"
            "Invitations expire after 72 hours. Each member uses one seat of your plan."
        ),
    ),
    9: (
        "Updating your payment method",
        (
            "Open Billing > Payment method to replace the card on file. We accept Visa, Mastercard, "
            "American Express and SEPA direct debit.\n\n"
            "If a charge fails we retry it three times over a week before the workspace is paused."
        ),
    ),
    10: (
        "Deleting your account",
        (
            "Deleting your account permanently erases your profile, conversations and files. This "
            "cannot be undone.\n\n"
            "Go to Profile > Privacy > Delete account and type your email address to confirm. "
            "Workspace owners must first transfer ownership or cancel the subscription."
        ),
    ),
    11: (
        "Webhook delivery errors",
        (
            "We post events to your webhook URL and expect a 2xx answer within 10 seconds. Slower "
            "endpoints fail with ERR_TIMEOUT and the event is retried up to 5 times.\n\n"
            "The Developers > Webhooks page lists every attempt with its response so you can debug "
            "failures."
        ),
    ),
    12: (
        "Installing the AurionSync desktop app",
        (
            "AurionSync keeps a local folder in step with your workspace files. Download the "
            "installer for Windows, macOS or Linux from the Downloads page.\n\n"
            "Sign in with your workspace credentials; the first sync can take a while for large "
            "workspaces."
        ),
    ),
}

# (question, expected article id): worded unlike the articles, few shared words.
PARAPHRASES = [
    ("I can't remember what my login secret is, how do I get back in?", 1),
    ("locked out, need a fresh passcode", 1),
    ("my money back please, the charge was a mistake", 2),
    ("how do I get reimbursed for a purchase?", 2),
    ("when will I see the reimbursement on my bank card?", 2),
    ("how many days until my parcel shows up?", 3),
    ("do you send orders abroad and how fast?", 3),
    ("I want to stop paying every month", 4),
    ("how can I end my membership?", 4),
    ("set up an extra security code when logging in", 5),
    ("got a new phone and lost my authenticator, what now?", 5),
    ("the server keeps telling me I'm making too many calls", 6),
    ("why am I being throttled by your endpoints?", 6),
    ("can I get a copy of all my stuff as a spreadsheet?", 7),
    ("download a backup of everything we stored", 7),
    ("add a colleague to our workspace", 8),
    ("how do I give my coworker access?", 8),
    ("my credit card expired, where do I put the new one?", 9),
    ("switch to paying with a different card", 9),
    ("remove my profile and all of my information forever", 10),
    ("close my account completely", 10),
    ("my endpoint isn't receiving your event notifications", 11),
    ("the callbacks to my server keep failing", 11),
    ("is there a program to mirror my files on my computer?", 12),
    ("app for my laptop that keeps folders synchronised", 12),
]
