"""What WhatsApp writes into exports, per language: media, attachment, deletion and edit markers.

Strings come from WhatsApp's own string tables (iOS `Localizable.strings`, Android `strings.xml`,
as collected by starkdmi/whats_json) and from real exports; see FORMATS.md §3.2. Markers are
compared after `marker_key()` (no invisible marks, no `<>`, no final dot, casefolded), so the
Android `<Media omitted>` and the iOS `\u200eimage omitted` forms share one entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from atalaia.connectors.chat_export.errors import ExportError

# Bidi and formatting marks WhatsApp puts around names, numbers, mentions and markers.
INVISIBLE_MARKS: Final = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_DROP_MARKS: Final = str.maketrans(dict.fromkeys(INVISIBLE_MARKS))
# Authors: marks dropped; NBSP/narrow NBSP and the non-breaking hyphen inside phone numbers
# become their plain forms, so "+55 21 99999-0000" is one spelling however the phone wrote it.
_AUTHOR_TABLE: Final = str.maketrans(dict.fromkeys(INVISIBLE_MARKS) | {"\u00a0": " ", "\u202f": " ", "\u2011": "-"})
MARKER_STRIP: Final = " \t<>." + "\u00a0\u202f" + INVISIBLE_MARKS
VIEW_ONCE: Final = "null"  # what a view-once photo or video leaves in the text


@dataclass(frozen=True, slots=True)
class Language:
    """The markers of one language; every string is already in `marker_key()` form."""

    code: str
    media_omitted: frozenset[str]
    document_omitted: tuple[str, ...]  # iOS: "<name> • 3 pages ‎document omitted"
    attached_suffixes: tuple[str, ...]  # Android: "IMG-....jpg (arquivo anexado)"
    attached_tags: tuple[str, ...]  # iOS: "<anexado: 00000012-PHOTO-....jpg>"
    deleted: frozenset[str]
    edited: tuple[str, ...]  # shown as "<...>" after the text; "." optional at the end
    encryption: tuple[str, ...]  # first words of the end-to-end notice (system line)
    system_phrases: tuple[str, ...]  # quote a group name/subject that may contain ": "
    authored_notices: tuple[str, ...]  # iOS \u200e-lines a participant caused (calls, polls...)


def marker_key(text: str) -> str:
    """The comparable form of a short marker text ("<\u200eimage omitted>" -> "image omitted").

    Only the ends are stripped (str.translate costs ten times more): WhatsApp puts its marks
    around a marker, not inside it.
    """
    return text.strip(MARKER_STRIP).casefold()


def clean_author(raw: str) -> str:
    return raw.translate(_AUTHOR_TABLE).strip()


def drop_marks(text: str) -> str:
    return text.translate(_DROP_MARKS)


PT: Final = Language(
    code="pt",
    media_omitted=frozenset(
        {
            "mídia oculta",
            "mídia omitida",
            "arquivo de mídia oculto",
            "imagem ocultada",
            "imagem omitida",
            "áudio ocultado",
            "áudio omitido",
            "vídeo omitido",
            "vídeo ocultado",
            "figurinha omitida",
            "gif omitido",
            "cartão do contato omitido",
            # pt-PT
            "ficheiro não revelado",
            "multimédia omitido",
            "multimédia omitida",
            "imagem não revelada",
            "vídeo não revelado",
            "ficheiro de áudio não revelado",
            "áudio não revelado",
            "sticker não revelado",
            "gif não revelado",
            "gif não revelada",
            "contacto não revelado",
        }
    ),
    document_omitted=("documento omitido", "documento não revelado"),
    attached_suffixes=("(arquivo anexado)", "(ficheiro anexado)"),
    attached_tags=("anexado", "anexo"),
    deleted=frozenset(
        {
            "mensagem apagada",
            "esta mensagem foi apagada",
            "você apagou esta mensagem",
            "apagou esta mensagem",
            "esta mensagem foi apagada pelo remetente",
            "esta mensagem foi eliminada",
            "eliminou esta mensagem",
        }
    ),
    edited=("mensagem editada", "esta mensagem foi editada"),
    encryption=(
        "as mensagens e as chamadas são protegidas",
        "as mensagens e ligações são protegidas",
        "as mensagens e chamadas são protegidas",
        "as mensagens e chamadas são encriptadas",
        "as mensagens e as chamadas são encriptadas",
        "as mensagens deste grupo",
        "as mensagens enviadas",
    ),
    system_phrases=(
        " mudou o nome do grupo",
        " mudou o assunto",
        " alterou o nome do grupo",
        " alterou o título",
        "o título do grupo foi alterado",
        " criou o grupo",
        " mudou a descrição",
        " alterou a descrição",
    ),
    authored_notices=(
        "chamada de voz perdida",
        "chamada de vídeo perdida",
        "ligação de voz perdida",
        "ligação de vídeo perdida",
        "videochamada perdida",
        "chamada de voz",
        "chamada de vídeo",
        "localização:",
        "localização em tempo real",
        "enquete:",
        "sondagem:",
        "aguardando esta mensagem",
    ),
)

EN: Final = Language(
    code="en",
    media_omitted=frozenset(
        {
            "media omitted",
            "multimedia omitted",
            "image omitted",
            "video omitted",
            "audio omitted",
            "sticker omitted",
            "gif omitted",
            "contact card omitted",
            "product image omitted",
            "video note omitted",
        }
    ),
    document_omitted=("document omitted",),
    attached_suffixes=("(file attached)",),
    attached_tags=("attached",),
    deleted=frozenset({"this message was deleted", "you deleted this message"}),
    edited=("this message was edited",),
    encryption=(
        "messages and calls are end-to-end encrypted",
        "messages to this group are now secured",
        "messages to this chat and calls are now secured",
        "messages you send to this chat and calls are now secured",
        "messages you send to this group are now secured",
    ),
    system_phrases=(
        " changed the subject",
        " changed the group name",
        " created group",
        " changed the group description",
        " changed this group's",
    ),
    authored_notices=(
        "missed voice call",
        "missed video call",
        "missed group voice call",
        "missed group video call",
        "voice call",
        "video call",
        "location:",
        "live location",
        "poll:",
        "waiting for this message",
    ),
)

ES: Final = Language(
    code="es",
    media_omitted=frozenset(
        {
            "multimedia omitido",
            "archivo omitido",
            "imagen omitida",
            "video omitido",
            "audio omitido",
            "sticker omitido",
            "gif omitido",
            "tarjeta de contacto omitida",
        }
    ),
    document_omitted=("documento omitido",),
    attached_suffixes=("(archivo adjunto)", "(archivo adjuntado)"),
    attached_tags=("adjunto",),
    deleted=frozenset({"se eliminó este mensaje", "eliminaste este mensaje", "este mensaje fue eliminado"}),
    edited=("se editó este mensaje", "mensaje editado", "este mensaje fue editado"),
    encryption=(
        "los mensajes y las llamadas están cifrados",
        "los mensajes y llamadas están cifrados",
        "los mensajes que envíes",
    ),
    system_phrases=(" cambió el asunto", " cambió el nombre del grupo", " creó el grupo", " cambió la descripción"),
    authored_notices=(
        "llamada perdida",
        "llamada de voz perdida",
        "videollamada perdida",
        "llamada de voz",
        "videollamada",
        "ubicación:",
        "ubicación en tiempo real",
        "encuesta:",
        "esperando este mensaje",
    ),
)

DE: Final = Language(
    code="de",
    media_omitted=frozenset(
        {
            "medien ausgeschlossen",
            "medien weggelassen",
            "bild weggelassen",
            "video weggelassen",
            "audio weggelassen",
            "sticker weggelassen",
            "gif weggelassen",
            "kontaktkarte ausgelassen",
            "kontaktkarte weggelassen",
        }
    ),
    document_omitted=("dokument weggelassen",),
    attached_suffixes=("(datei angehängt)",),
    attached_tags=("anhang",),
    deleted=frozenset({"diese nachricht wurde gelöscht", "du hast diese nachricht gelöscht"}),
    edited=("diese nachricht wurde bearbeitet",),
    encryption=("nachrichten und anrufe sind ende-zu-ende-verschlüsselt", "deine nachrichten und anrufe"),
    system_phrases=(" hat den betreff", " hat die gruppe", " hat den gruppennamen", " hat die gruppenbeschreibung"),
    authored_notices=(
        "verpasster sprachanruf",
        "verpasster videoanruf",
        "sprachanruf",
        "videoanruf",
        "standort:",
        "live-standort",
        "umfrage:",
        "warte auf diese nachricht",
    ),
)

FR: Final = Language(
    code="fr",
    media_omitted=frozenset(
        {
            "médias omis",
            "fichier omis",
            "image absente",
            "vidéo absente",
            "audio omis",
            "sticker omis",
            "gif retiré",
            "fiche contact manquante",
        }
    ),
    document_omitted=("document manquant", "document omis"),
    attached_suffixes=("(fichier joint)",),
    attached_tags=("pièce jointe",),
    deleted=frozenset({"ce message a été supprimé", "vous avez supprimé ce message"}),
    edited=("ce message a été modifié",),
    encryption=("les messages et les appels sont chiffrés", "vos messages et vos appels sont protégés"),
    system_phrases=(
        " a modifié le sujet",
        " a changé le sujet",
        " a remplacé le sujet",
        " a créé le groupe",
        " a changé la description",
        " a modifié la description",
    ),
    authored_notices=(
        "appel vocal manqué",
        "appel vidéo manqué",
        "appel vocal",
        "appel vidéo",
        "position :",
        "localisation :",
        "position en direct",
        "sondage :",
        "en attente de ce message",
    ),
)

IT: Final = Language(
    code="it",
    media_omitted=frozenset(
        {
            "media omessi",
            "media omesso",
            "immagine omessa",
            "video omesso",
            "audio omesso",
            "sticker omesso",
            "sticker non incluso",
            "gif omessa",
            "gif esclusa",
            "scheda contatto omessa",
        }
    ),
    document_omitted=("documento omesso",),
    attached_suffixes=("(file allegato)",),
    attached_tags=("allegato",),
    deleted=frozenset({"questo messaggio è stato eliminato", "hai eliminato questo messaggio"}),
    edited=("questo messaggio è stato modificato",),
    encryption=("i messaggi e le chiamate sono crittografati", "le chiamate e i messaggi sono crittografati"),
    system_phrases=(
        " ha cambiato l'oggetto",
        " ha modificato l'oggetto",
        " ha creato il gruppo",
        " ha cambiato la descrizione",
    ),
    authored_notices=(
        "chiamata vocale persa",
        "videochiamata persa",
        "chiamata vocale",
        "videochiamata",
        "posizione:",
        "posizione in tempo reale",
        "sondaggio:",
        "in attesa di questo messaggio",
    ),
)

# Seen in FORMATS.md and real exports; lighter lists, no authored-notice table.
NL: Final = Language(
    code="nl",
    media_omitted=frozenset(
        {
            "media weggelaten",
            "afbeelding weggelaten",
            "video weggelaten",
            "audio weggelaten",
            "sticker weggelaten",
            "gif weggelaten",
            "visitekaartje weggelaten",
        }
    ),
    document_omitted=("document weggelaten",),
    attached_suffixes=("(bestand bijgevoegd)",),
    attached_tags=("bijgevoegd",),
    deleted=frozenset({"dit bericht is verwijderd", "u hebt dit bericht verwijderd", "je hebt dit bericht verwijderd"}),
    edited=("dit bericht is bewerkt",),
    encryption=("berichten en gesprekken worden end-to-end versleuteld",),
    system_phrases=(" heeft het onderwerp", " heeft de groep", " heeft de groepsomschrijving"),
    authored_notices=("gemist spraakgesprek", "gemist videogesprek", "locatie:"),
)

CS: Final = Language(
    code="cs",
    media_omitted=frozenset(
        {"média vynechána", "média vynechány", "obrázek vynechán", "video vynecháno", "zvuk vynechán"}
    ),
    document_omitted=("dokument vynechán",),
    attached_suffixes=("(soubor byl přiložen)",),
    attached_tags=("přiloženo",),
    deleted=frozenset({"tato zpráva byla odstraněna", "tuto zprávu jste odstranil/a", "tato zpráva byla smazána"}),
    edited=("tato zpráva byla upravena",),
    encryption=("zprávy a hovory jsou", "vaše zprávy a hovory jsou zabezpečeny"),
    system_phrases=(" změnil/a předmět", " vytvořil/a skupinu"),
    authored_notices=(),
)

RU: Final = Language(
    code="ru",
    media_omitted=frozenset(
        {"без медиафайлов", "файл пропущен", "изображение отсутствует", "видео отсутствует", "аудио отсутствует"}
    ),
    document_omitted=("документ отсутствует",),
    attached_suffixes=("(файл добавлен)",),
    attached_tags=("вложение",),
    deleted=frozenset({"данное сообщение удалено", "вы удалили данное сообщение", "вы удалили это сообщение"}),
    edited=("сообщение изменено", "это сообщение изменено"),
    encryption=("сообщения и звонки защищены", "ваши сообщения и звонки защищены"),
    system_phrases=(" изменил(-а) тему", " создал(-а) группу"),
    authored_notices=(),
)

LANGUAGES: Final[dict[str, Language]] = {lang.code: lang for lang in (PT, EN, ES, DE, FR, IT, NL, CS, RU)}
# Regions whose phones write month first (US and its associated states, the Philippines).
MONTH_FIRST_REGIONS: Final = frozenset({"US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "UM", "VI"})
_TAG = re.compile(r"^(?P<lang>[a-z]{2,3})(?:[-_](?P<region>[a-z]{2}|\d{3}))?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LocaleHint:
    """An explicit `--locale`: forces the markers language and the date-order fallback."""

    tag: str
    language: Language
    month_first: bool


def resolve_locale(tag: str) -> LocaleHint | None:
    """`auto` is None; `pt-BR`, `en_US`, `es-419`, `de`... a hint; anything else an ExportError."""
    if tag.strip().lower() in ("", "auto"):
        return None
    found = _TAG.match(tag.strip())
    language = LANGUAGES.get(found.group("lang").lower()) if found else None
    if found is None or language is None:
        known = ", ".join(sorted(LANGUAGES))
        raise ExportError(f"idioma não suportado: {tag!r} (use auto ou um destes idiomas: {known})")
    region = (found.group("region") or "").upper()
    canonical = f"{language.code}-{region}" if region else language.code
    return LocaleHint(tag=canonical, language=language, month_first=region in MONTH_FIRST_REGIONS)


@dataclass(frozen=True, slots=True)
class MarkerSet:
    """Markers of the languages in force, merged for one lookup per message."""

    simple: dict[str, str]  # marker_key -> "media" | "deleted"
    document_omitted: tuple[str, ...]
    attached_suffixes: tuple[str, ...]  # casefolded; compared with the first line casefolded
    attached_tag: re.Pattern[str]  # iOS "<anexado: NAME>" anywhere in the first line
    edited_suffix: re.Pattern[str]  # at the very end of the text
    authored_notices: tuple[str, ...]
    system_phrases: tuple[str, ...]
    max_simple_len: int  # texts longer than this cannot be a simple marker


@lru_cache(maxsize=16)
def markers_for(codes: tuple[str, ...]) -> MarkerSet:
    """Merged markers for these language codes (all known languages when empty)."""
    languages = [LANGUAGES[code] for code in codes] if codes else list(LANGUAGES.values())
    simple: dict[str, str] = {VIEW_ONCE: "media"}
    for lang in languages:
        simple.update(dict.fromkeys(lang.media_omitted, "media"))
        simple.update(dict.fromkeys(lang.deleted, "deleted"))
    tags = sorted({tag for lang in languages for tag in lang.attached_tags}, key=len, reverse=True)
    edited = sorted({e for lang in languages for e in lang.edited}, key=len, reverse=True)
    marks = f"[{INVISIBLE_MARKS}]"
    return MarkerSet(
        simple=simple,
        document_omitted=_merged(lang.document_omitted for lang in languages),
        attached_suffixes=_merged(lang.attached_suffixes for lang in languages),
        attached_tag=re.compile(
            rf"<{marks}*\s*(?:{'|'.join(map(re.escape, tags))})\s*:\s*(?P<name>[^<>]+?)\s*>", re.IGNORECASE
        ),
        edited_suffix=re.compile(
            rf"[\s{INVISIBLE_MARKS}]*<{marks}*(?:{'|'.join(map(re.escape, edited))})\.?>[\s{INVISIBLE_MARKS}]*\Z",
            re.IGNORECASE,
        ),
        authored_notices=_merged(lang.authored_notices for lang in languages),
        system_phrases=_merged(lang.system_phrases for lang in languages),
        max_simple_len=max(map(len, simple)) + 8,  # room for marks, "<>" and a final dot
    )


def _merged(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(sorted({item for group in groups for item in group}))


class LanguageVote:
    """Counts marker and notice hits per language over the first pass; the winner is the guess."""

    NOTICE_SAMPLE: Final = 50  # the end-to-end notice opens the export

    def __init__(self) -> None:
        self._by_key: dict[str, set[str]] = {}
        for lang in LANGUAGES.values():
            for key in (*lang.media_omitted, *lang.deleted):
                self._by_key.setdefault(key, set()).add(lang.code)
        self._suffixes = [(s, lang.code) for lang in LANGUAGES.values() for s in lang.attached_suffixes]
        self._prefixes = [(p, lang.code) for lang in LANGUAGES.values() for p in lang.encryption]
        self._fed = 0
        self.counts: dict[str, int] = {}

    def _add(self, code: str, weight: int = 1) -> None:
        self.counts[code] = self.counts.get(code, 0) + weight

    def feed(self, text: str) -> None:
        """Look at the text of one message (after the author), cheaply."""
        self._fed += 1
        if not text:
            return
        if len(text) <= 64:
            key = marker_key(text) if text[0] in "<" + INVISIBLE_MARKS else text.rstrip(".").casefold()
            for code in self._by_key.get(key, ()):
                self._add(code)
        if self._fed <= self.NOTICE_SAMPLE:
            lowered = text[:160].translate(_DROP_MARKS).casefold()
            for prefix, code in self._prefixes:
                if lowered.startswith(prefix):
                    self._add(code, 3)  # the notice is unambiguous
        if text[-1] == ")":
            lowered = text[-40:].casefold()
            for suffix, code in self._suffixes:
                if lowered.endswith(suffix):
                    self._add(code)

    def winner(self) -> str | None:
        if not self.counts:
            return None
        return max(sorted(self.counts), key=lambda code: self.counts[code])
