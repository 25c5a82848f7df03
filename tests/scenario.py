"""The whole profiling conversation as one language-independent script.

It presses buttons by position or by the symbols every translation keeps (✔ ✅ ◀ ⏭), so the
same script runs in all eight languages, against the engine directly or through Telegram.
"""

from __future__ import annotations

from typing import Protocol

LANGS = ("en", "pl", "lv", "et", "lt", "fi", "de", "da")

# What a Polish furniture maker would type, in each language.
ACTIVITY = {
    "en": "We make solid oak furniture for hotels and offices",
    "pl": "Produkujemy meble z litego drewna debowego dla hoteli i biur",
    "lv": "Mēs ražojam ozolkoka mēbeles viesnīcām un birojiem",
    "et": "Toodame tammepuidust mööblit hotellidele ja kontoritele",
    "lt": "Gaminame ąžuolo baldus viešbučiams ir biurams",
    "fi": "Valmistamme tammihuonekaluja hotelleille ja toimistoille",
    "de": "Wir stellen Möbel aus Eichenholz für Hotels und Büros her",
    "da": "Vi producerer møbler i massiv eg til hoteller og kontorer",
}
OFFERS = {
    "en": "Custom oak tables and chairs, 2,000 pieces a month, FSC certified",
    "pl": "Stoły i krzesła dębowe na zamówienie, certyfikat FSC",
    "lv": "Ozolkoka galdi un krēsli pēc pasūtījuma, FSC sertifikāts",
    "et": "Tammepuidust lauad ja toolid tellimusel, FSC sertifikaat",
    "lt": "Ąžuoliniai stalai ir kėdės pagal užsakymą, FSC sertifikatas",
    "fi": "Tammipöydät ja -tuolit tilauksesta, FSC-sertifioitu",
    "de": "Tische und Stühle aus Eiche nach Maß, FSC-zertifiziert",
    "da": "Egetræsborde og stole efter mål, FSC-certificeret",
}
SEEKS = {
    "en": "A furniture distributor in Germany or Denmark",
    "pl": "Dystrybutor mebli w Niemczech lub Danii",
    "lv": "Mēbeļu izplatītājs Vācijā vai Dānijā",
    "et": "Mööbli edasimüüja Saksamaal või Taanis",
    "lt": "Baldų platintojas Vokietijoje arba Danijoje",
    "fi": "Huonekalujen jälleenmyyjä Saksasta tai Tanskasta",
    "de": "Einen Möbelhändler in Deutschland oder Dänemark",
    "da": "En møbelforhandler i Tyskland eller Danmark",
}
COMPANY = "Mebelux <Oak> & Sons"
CONTACT = ("Jan Kowalski-Testowy", "jan.kowalski@mebelux-test.pl", "+48 85 123 45 67")


class Driver(Protocol):
    """What a scenario needs from a chat driver."""

    async def send(self, text: str) -> object: ...
    async def press_index(self, index: int) -> object: ...
    async def press(self, label_part: str) -> object: ...
    def has_checkboxes(self) -> bool: ...


async def choose_language(driver: Driver, lang: str) -> None:
    """/start and pick the language by its button position."""
    await driver.send("/start")
    await driver.press_index(LANGS.index(lang))


async def answer_until_consent(driver: Driver, lang: str) -> None:
    """Answer everything from the company name to the consent question."""
    await driver.send(COMPANY)
    await driver.press_index(0)  # country: Poland (first button)
    await driver.send("Podlaskie")  # region, typed
    await driver.send(ACTIVITY[lang])
    if driver.has_checkboxes():  # sector proposals shown: tick the best one
        await driver.press_index(0)
        await driver.press("\u2714")
    await driver.press_index(1)  # size: small
    await driver.send(OFFERS[lang])
    await driver.send(SEEKS[lang])
    await driver.press_index(0)  # intent: business offer
    await driver.press_index(0)  # cooperation: commercial
    await driver.press("\u2714")
    await driver.press_index(4)  # target countries: DE (list without PL)
    await driver.press_index(5)  # and DK
    await driver.press("\u2714")
    await driver.press_index(0)  # working language: English
    await driver.press("\u2714")
    await driver.press("\u2714")  # value chain: none ticked


async def full_profile(driver: Driver, lang: str) -> None:
    """From /start to a confirmed profile with contact data."""
    await choose_language(driver, lang)
    await answer_until_consent(driver, lang)
    await driver.press_index(0)  # consent: I agree
    for value in CONTACT:
        await driver.send(value)
    await driver.press("\u2705")  # summary: confirm
