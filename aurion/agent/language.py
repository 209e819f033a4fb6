"""Recognising a visitor who writes in another language than English, without network.

The built-in embedding model reads English only: a German question would be matched
to whichever English article shares its product names, and answered wrongly. The
check counts function words (articles, pronouns, auxiliaries, question words) and a few
support words of the languages the widget's visitors most often write, against English
ones. Words that are also English are left out, and so are the particles of names ("de",
"la", "van", "von", "del", "da"): "My name is Jean de la Fontaine" stays English.
"""

import re

# Each language's words, none of them common in English text or in English-written names.
# fmt: off
_WORDS = {
    "de": frozenset({
        "ich", "du", "wir", "ihr", "sie", "mein", "meine", "meinen", "meinem", "dein", "ihre", "ihren", "unser",
        "und", "oder", "aber", "nicht", "kein", "keine", "ist", "sind", "bin", "habe", "hast", "hat", "haben",
        "kann", "kannst", "können", "konnte", "möchte", "muss", "will", "wird", "werden", "wurde", "das", "der",
        "dem", "des", "ein", "eine", "einen", "einem", "mit", "für", "auf", "zu", "zum", "zur", "bei", "nach",
        "noch", "schon", "auch", "wie", "was", "wo", "wann", "warum", "wieso", "welche", "bitte", "danke",
        "hallo", "guten", "sehr", "ja", "gibt", "es", "mich", "mir", "uns", "ihnen", "wenn", "dass", "nur",
        "bestellung", "rechnung", "erhalten", "zurück", "lieferung", "konto", "passwort", "geld",
    }),
    "fr": frozenset({
        "je", "tu", "nous", "vous", "il", "elle", "ils", "elles", "mon", "ma", "mes", "ton", "votre", "vos",
        "notre", "nos", "est", "suis", "sont", "ai", "avez", "avons", "peux", "puis", "peut", "pouvez", "veux",
        "voudrais", "dois", "faut", "être", "avoir", "et", "ou", "mais", "pas", "ne", "une", "les",
        "au", "aux", "ce", "cette", "ces", "pour", "avec", "dans", "sur", "qui", "que", "quoi", "comment",
        "pourquoi", "où", "quand", "quel", "quelle", "bonjour", "salut", "merci", "svp", "oui", "non", "très",
        "aussi", "toujours", "déjà", "combien", "temps", "commande", "remboursement", "compte", "livraison", "reçu", "mot", "passe",
    }),
    "es": frozenset({
        "yo", "tú", "usted", "ustedes", "nosotros", "mi", "mis", "tu", "tus", "su", "sus", "es", "está",
        "están", "estoy", "soy", "son", "he", "ha", "hay", "tengo", "tiene", "puedo", "puede", "pueden",
        "quiero", "quisiera", "necesito", "debo", "una", "uno", "unos", "unas", "y", "pero", "que", "qué",
        "por", "para", "con", "sin", "en", "cómo", "como", "cuándo", "cuando", "dónde", "donde", "porque",
        "cuál", "cuánto", "cuanto", "cuánta", "tarda", "tardan", "hola", "gracias", "favor", "sí", "muy", "también", "todavía", "ya", "este",
        "esta", "esto", "eso", "al", "lo", "se", "me", "pedido", "reembolso", "cuenta", "contraseña", "envío",
        "recibido", "dinero",
    }),
    "nl": frozenset({
        "ik", "jij", "je", "wij", "jullie", "mijn", "jouw", "uw", "ons", "onze", "het", "een", "zijn", "heb", "hebt", "heeft", "hebben", "kan", "kunt", "kunnen", "wil", "wilt", "moet",
        "wordt", "worden", "niet", "geen", "en", "of", "maar", "ook", "nog", "al", "wat", "hoe", "waar",
        "wanneer", "waarom", "welke", "voor", "met", "naar", "bij", "op", "te", "mij", "me", "graag", "dank",
        "bedankt", "hallo", "goedendag", "alstublieft", "ja", "bestelling", "terug", "geld", "wachtwoord",
        "krijg", "ontvangen",
    }),
    "pt": frozenset({
        "eu", "você", "voce", "vocês", "nós", "meu", "minha", "meus", "minhas", "seu", "sua", "é", "está",
        "estou", "são", "sou", "tenho", "tem", "posso", "pode", "podem", "quero", "gostaria", "preciso",
        "devo", "um", "uma", "uns", "umas", "e", "mas", "não", "nao", "que", "por", "para", "com", "sem",
        "em", "no", "na", "nos", "ao", "os", "como", "quando", "onde", "porque", "porquê", "qual", "quanto", "tempo", "demora", "olá",
        "ola", "obrigado", "obrigada", "sim", "muito", "também", "ainda", "já", "isso", "esse", "essa",
        "pedido", "reembolso", "conta", "senha", "entrega", "entregam", "recebi", "dinheiro",
    }),
    "it": frozenset({
        "io", "tu", "lei", "noi", "voi", "mio", "mia", "miei", "mie", "tuo", "suo", "è", "sono", "sei",
        "ho", "hai", "abbiamo", "posso", "puoi", "può", "vorrei", "voglio", "devo", "un", "una", "uno", "e",
        "ma", "non", "che", "per", "con", "senza", "il", "gli", "nel", "nella", "della", "dello", "dei",
        "come", "quando", "dove", "perché", "perche", "quale", "cosa", "quanto", "tempo", "ci", "vuole", "ciao", "salve", "grazie", "favore",
        "sì", "molto", "anche", "ancora", "già", "questo", "questa", "ordine", "rimborso", "ricevuto", "soldi", "consegna",
        "spedizione",
    }),
}
# Words an English question is built of. Some also belong to the languages above ("is",
# "me", "he", "we", "will", "come"): they count for English only.
_ENGLISH = frozenset({
    "the", "a", "an", "and", "or", "but", "is", "are", "was", "were", "be", "been", "am", "i", "you",
    "he", "she", "we", "they", "it", "my", "your", "our", "their", "me", "us", "to", "of", "in", "on",
    "for", "with", "at", "by", "from", "about", "how", "what", "when", "where", "why", "which", "who",
    "can", "could", "do", "does", "did", "have", "has", "had", "will", "would", "should", "this", "that",
    "there", "if", "not", "no", "please", "thanks", "hi", "hello", "get", "want", "need", "still", "yet",
    "come", "all", "any", "some",
})
# Greetings, thanks and a "yes", which tell the language of a one- or two-word message.
_GREETINGS = frozenset({
    "hallo", "danke", "ja", "bonjour", "salut", "merci", "oui", "hola", "gracias", "goedendag", "bedankt",
    "olá", "ola", "obrigado", "obrigada", "ciao", "salve", "grazie",
})
# fmt: on
_WORDS = {language: words - _ENGLISH for language, words in _WORDS.items()}
# A word of either kind decides only when the message says it twice: "MIT license" or
# "Müller und Söhne" is one foreign-looking word in an English message.
_MIN_WORDS = 2
_WORD = re.compile(r"[^\W\d_]+")
_SPANISH_MARKS = re.compile(r"[¿¡]")

NOTICES = {
    "en": "I'm sorry, I can only answer in English: our help articles are written in English. "
    "You can write to me in English, or would you like me to connect you with a person?",
    "de": "Entschuldigung, ich kann nur auf Englisch antworten. Schreiben Sie mir auf Englisch, "
    "oder möchten Sie mit einer Person sprechen?",
    "fr": "Désolé, je ne peux répondre qu'en anglais. Écrivez-moi en anglais, "
    "ou souhaitez-vous parler à une personne ?",
    "es": "Lo siento, solo puedo responder en inglés. Escríbame en inglés, o ¿quiere hablar con una persona?",
    "nl": "Sorry, ik kan alleen in het Engels antwoorden. Schrijf me in het Engels, "
    "of wilt u met een medewerker spreken?",
    "pt": "Desculpe, só consigo responder em inglês. Escreva-me em inglês, ou prefere falar com uma pessoa?",
    "it": "Mi dispiace, posso rispondere solo in inglese. Scrivimi in inglese, oppure vuoi parlare con una persona?",
}


def foreign_language(text: str) -> str | None:
    """The language of `text` ("de", "fr", "es", "nl", "pt", "it") when it is clearly one of
    those and not English, else None (English, too short to tell, or another language)."""
    words = _WORD.findall(text.lower())
    english = sum(word in _ENGLISH for word in words)
    counts = {language: sum(word in vocabulary for word in words) for language, vocabulary in _WORDS.items()}
    if _SPANISH_MARKS.search(text):
        counts["es"] += _MIN_WORDS
    language, count = max(counts.items(), key=lambda item: item[1])
    # A one- or two-word greeting ("Hallo", "Merci beaucoup") says it as clearly as a sentence.
    enough = 1 if len(words) <= 2 and _GREETINGS.intersection(words) else _MIN_WORDS
    return language if count >= enough and count > english else None


def language_notice(language: str) -> str:
    """What the agent says to a visitor writing in `language`: in English, then in theirs."""
    return f"{NOTICES['en']}\n\n{NOTICES[language]}"
