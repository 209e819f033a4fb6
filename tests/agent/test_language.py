"""Recognising visitors who write in another language, and what the built-in agent tells them."""

import pytest

from aurion.agent.backends import AgentContext, Reply, Turn
from aurion.agent.knowledge_agent import compose_answer
from aurion.agent.language import NOTICES, foreign_language
from aurion.engines.retrieval import Hit

FOREIGN = {
    "de": [
        "Wie kann ich mein Passwort zurücksetzen?",
        "Ich habe meine Bestellung noch nicht erhalten.",
        "Hallo, wann kommt meine Lieferung?",
        "Kann ich das Abo jederzeit kündigen?",
        "Danke",
    ],
    "fr": [
        "Bonjour, comment puis-je réinitialiser mon mot de passe ?",
        "Je n'ai pas encore reçu ma commande.",
        "Est-ce que je peux être remboursé ?",
        "Combien de temps prend la livraison ?",
        "Merci beaucoup",
    ],
    "es": [
        "¿Cómo puedo restablecer mi contraseña?",
        "Todavía no he recibido mi pedido.",
        "Hola, quiero un reembolso por favor.",
        "Cuánto tarda el envío a México",
        "Hola",
    ],
    "nl": [
        "Hoe kan ik mijn wachtwoord opnieuw instellen?",
        "Ik heb mijn bestelling nog niet ontvangen.",
        "Wanneer krijg ik mijn geld terug?",
        "Kunnen jullie ook naar België verzenden?",
    ],
    "pt": [
        "Como posso redefinir a minha senha?",
        "Ainda não recebi o meu pedido.",
        "Olá, quero pedir um reembolso.",
        "Vocês entregam no Brasil?",
        "Obrigado",
    ],
    "it": [
        "Come posso reimpostare la mia password?",
        "Non ho ancora ricevuto il mio ordine.",
        "Ciao, vorrei un rimborso per favore.",
        "Quanto tempo ci vuole per la consegna?",
        "Grazie",
    ],
}

ENGLISH = [
    "How do I reset my password?",
    "Can I ship my order to São Paulo?",
    "My name is Jean-Pierre de la Fontaine and I can't log in",
    "Is the Van der Berg account still active?",
    "I ordered the Los Angeles edition of Le Monde",
    "Do you deliver to Düsseldorf or München?",
    "Please update the address to Rue de la Paix 12, Paris",
    "Our company is Müller und Söhne GmbH, how do I add a seat?",
    "Is the MIT license fine for the SDK?",
    "When will Señor Frog's order from Del Mar arrive?",
    "Can Giovanni della Rovere and Ana da Silva share one account?",
    "I need the invoice for order 1234 from Hamburg",
    "Do you have a store in Rio de Janeiro?",
    "My colleague Pedro can't sign in",
    "Is there a discount for non-profits?",
    "What does 'Ich bin ein Berliner' have to do with your logo?",
    "I'm in Amsterdam, do you ship to Nederland?",
    "e-mail?",
    "Thanks!",
    "ok",
    "E429",
]

# Written after the word lists were settled, as a check of how far they carry: the three
# misses are short questions with a single function word ("Avete sconti per studenti?").
HELD_OUT = {
    "de": ["Wo finde ich meine Rechnung?", "Mein Konto wurde gesperrt, was soll ich tun?", "Gibt es einen Rabatt für Studenten?", "Ich möchte mein Abonnement kündigen."],
    "fr": ["Où puis-je trouver ma facture ?", "Mon compte est bloqué, que dois-je faire ?", "Je voudrais annuler mon abonnement.", "Vous livrez en Belgique ?"],
    "es": ["¿Dónde encuentro mi factura?", "Mi cuenta está bloqueada, ¿qué hago?", "Quiero cancelar mi suscripción.", "Hacen envíos a Argentina?"],
    "nl": ["Waar vind ik mijn factuur?", "Mijn account is geblokkeerd, wat moet ik doen?", "Ik wil mijn abonnement opzeggen.", "Hebben jullie korting voor studenten?"],
    "pt": ["Onde encontro a minha fatura?", "A minha conta está bloqueada, o que faço?", "Quero cancelar a minha assinatura.", "Vocês têm desconto para estudantes?"],
    "it": ["Dove trovo la mia fattura?", "Il mio account è bloccato, cosa devo fare?", "Voglio annullare il mio abbonamento.", "Avete sconti per studenti?"],
}


@pytest.mark.parametrize(("language", "text"), [(language, text) for language, texts in FOREIGN.items() for text in texts])
def test_messages_in_other_languages_are_recognised(language, text):
    assert foreign_language(text) == language


def test_most_held_out_messages_are_recognised():
    results = [foreign_language(text) == language for language, texts in HELD_OUT.items() for text in texts]
    assert sum(results) / len(results) >= 0.85  # 21 of 24 when written


@pytest.mark.parametrize("text", ENGLISH)
def test_english_with_foreign_names_stays_english(text):
    assert foreign_language(text) is None


def test_the_agent_answers_a_foreign_question_in_both_languages_and_offers_a_person():
    question = "Wie lange dauert eine Rückerstattung?"
    hit = Hit(7, "Refund policy", 0.4, "Refunds take 5 to 10 business days to arrive.")
    reply = Reply()
    text = compose_answer(AgentContext("Acme", [Turn("user", question)], question, [hit], query=question), reply)
    assert text.startswith(NOTICES["en"]) and text.endswith(NOTICES["de"])
    assert "person" in NOTICES["en"]  # so that a "yes" hands the conversation to one
    assert "business days" not in text
    assert reply.source_ids == [] and not reply.answered and reply.foreign_language == "de"
