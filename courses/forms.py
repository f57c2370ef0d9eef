"""Authoring forms: a course, a module, an item (its fields depend on the item's kind), a deletion."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from courses.media import allowed_extensions
from courses.models import ITEM_KIND_LABELS, Completion, ItemKind
from lms.forms import LocalDecimalField
from lms.i18n import LOCALE_NAMES, Translated

REQUIRED = _l("This field is required.")
COURSE_CODE = r"^[A-Z0-9-]{2,40}$"
KEY = r"^[a-z0-9-]{1,80}$"
WEB_ADDRESS = r"^https?://[^\s<>\"]+$"
LANGUAGES = ("uk", "en", "fi", "sv")

# The kinds an author can add here (quizzes have their own editor).
AUTHORED_KINDS = (ItemKind.TEXT, ItemKind.VIDEO, ItemKind.AUDIO, ItemKind.FILE, ItemKind.LINK, ItemKind.QUIZ)
ENROLMENT_LABELS = {
    "open": _l("Open: every learner may enrol from the catalogue"),
    "by_enrolment": _l("By enrolment only"),
}
COMPLETION_LABELS = {
    Completion.BUTTON.value: _l("The learner presses “Mark as done”"),
    Completion.NEXT.value: _l("Pressing “Next” completes it"),
}

# What an uploaded file may be (checked from its content by courses.media.store).
MEDIA_KINDS = {
    ItemKind.VIDEO: {"video"},
    ItemKind.AUDIO: {"audio"},
    ItemKind.FILE: {"file", "image"},
}
CAPTION_KINDS = {"captions"}

# The fields each kind of item has, besides the title, completion and "required".
KIND_FIELDS = {
    ItemKind.TEXT: {"body"},
    ItemKind.VIDEO: {"body", "url", "media", "remove_media", "captions", "remove_captions", "transcript"},
    ItemKind.AUDIO: {"body", "media", "transcript"},
    ItemKind.FILE: {"body", "media"},
    ItemKind.LINK: {"body", "url"},
    ItemKind.QUIZ: {"body"},  # its questions and rules are set on the quiz's own settings page
}
OPTIONAL_FIELDS = {"url", "media", "remove_media", "captions", "remove_captions", "transcript", "body"}


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def translated(form: FlaskForm, prefix: str, locales: Iterable[str]) -> Translated:
    """The ``<prefix>_<locale>`` fields of a form as translated text (empty languages left out)."""
    texts = {code: (getattr(form, f"{prefix}_{code}").data or "").strip() for code in locales}
    return Translated({code: text for code, text in texts.items() if text})


def title_field(locale: str) -> StringField:
    """A title in one language: Ukrainian is required, the others optional."""
    labels = {
        "uk": _l("Title in Ukrainian"),
        "en": _l("Title in English"),
        "fi": _l("Title in Finnish"),
        "sv": _l("Title in Swedish"),
    }
    required = DataRequired(REQUIRED) if locale == "uk" else Optional()
    return StringField(labels[locale], filters=[_strip], validators=[required, Length(max=300)])


def competences_field() -> SelectMultipleField:
    """The "Competences taught" field; its choices (every competence of every framework) are the view's."""
    return SelectMultipleField(
        _l("Competences taught"),
        coerce=int,
        choices=[],
        description=_l("Tick what this teaches: quiz results point learners to it when they fall short."),
    )


class CourseForm(FlaskForm):
    code = StringField(
        _l("Course code"),
        filters=[_upper],
        validators=[
            DataRequired(REQUIRED),
            Regexp(COURSE_CODE, message=_l("2 to 40 capital Latin letters, digits and dashes.")),
        ],
        description=_l("Unique and permanent, e.g. DEH-COORD. Course packages use it."),
    )
    title_uk = title_field("uk")
    title_en = title_field("en")
    title_fi = title_field("fi")
    title_sv = title_field("sv")
    summary_uk = TextAreaField(
        _l("Summary in Ukrainian"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 5}
    )
    summary_en = TextAreaField(
        _l("Summary in English"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 5}
    )
    summary_fi = TextAreaField(
        _l("Summary in Finnish"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 5}
    )
    summary_sv = TextAreaField(
        _l("Summary in Swedish"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 5}
    )
    language = SelectField(_l("Language of the course"), choices=list(LOCALE_NAMES.items()), coerce=str)
    hours = LocalDecimalField(
        _l("Hours of study"),
        places=None,
        validators=[InputRequired(REQUIRED), NumberRange(0, 10000)],
        widget=TextInput(),  # a text box: type="number" may refuse a decimal comma
        render_kw={"inputmode": "decimal"},
    )
    ects = LocalDecimalField(
        _l("ECTS credits"),
        places=None,
        validators=[Optional(), NumberRange(0, 300)],
        description=_l("Optional, e.g. 0,5."),
        widget=TextInput(),
        render_kw={"inputmode": "decimal"},
    )
    version = IntegerField(
        _l("Version"),
        validators=[InputRequired(REQUIRED), NumberRange(1, 1_000_000)],
        description=_l("A whole number. Raise it when you release a new edition; it may never go down."),
        render_kw={"inputmode": "numeric"},
    )
    enrolment = SelectField(_l("Enrolment"), choices=list(ENROLMENT_LABELS.items()), coerce=str)
    unlock_in_order = BooleanField(_l("Modules unlock in order (a required module must be finished first)"))
    qualifies_for = SelectMultipleField(
        _l("Qualifies trainers for"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description=_l("People who complete this course may run cohorts of the courses ticked here."),
    )

    def titles(self) -> Translated:
        return translated(self, "title", LANGUAGES)

    def summaries(self) -> Translated:
        return translated(self, "summary", LANGUAGES)


class ModuleForm(FlaskForm):
    key = StringField(
        _l("Stable id"),
        filters=[_lower],
        validators=[Optional(), Regexp(KEY, message=_l("Use small Latin letters, digits and dashes."))],
        description=_l("Used by course packages, e.g. cyber-hygiene. Leave it empty to have one made."),
    )
    title_uk = title_field("uk")
    title_en = title_field("en")
    title_fi = title_field("fi")
    title_sv = title_field("sv")
    is_required = BooleanField(_l("Required for completing the course"), default=True)
    competences = competences_field()

    def titles(self) -> Translated:
        return translated(self, "title", LANGUAGES)


class ItemForm(FlaskForm):
    key = StringField(
        _l("Stable id"),
        filters=[_lower],
        validators=[Optional(), Regexp(KEY, message=_l("Use small Latin letters, digits and dashes."))],
        description=_l(
            "Used by course packages, e.g. cyber-hygiene-passwords. Leave it empty to have one made."
        ),
    )
    title_uk = title_field("uk")
    title_en = title_field("en")
    title_fi = title_field("fi")
    title_sv = title_field("sv")
    body = TextAreaField(
        _l("Text (Markdown)"),
        validators=[Length(max=200_000)],
        description=_l(
            "Markdown: # heading, **bold**, *italic*, - list, [link](https://…). Press Preview to see it."
        ),
        render_kw={"rows": 15},
    )
    url = StringField(
        _l("Web address"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=1000),
            Regexp(WEB_ADDRESS, message=_l("A web address starting with https:// or http://.")),
        ],
        render_kw={"inputmode": "url", "autocomplete": "url"},
    )
    media = FileField(_l("File"))
    remove_media = BooleanField(_l("Remove the uploaded video (to use a web address instead)"))
    captions = FileField(
        _l("Captions (WebVTT file, .vtt)"),
        description=_l("Captions make the video usable for people who cannot hear it."),
    )
    remove_captions = BooleanField(_l("Remove the captions"))
    transcript = TextAreaField(
        _l("Transcript (Markdown)"),
        validators=[Length(max=200_000)],
        description=_l("Everything that is said, for people who cannot hear it or prefer to read."),
        render_kw={"rows": 10},
    )
    completion = SelectField(_l("Completed when"), choices=list(COMPLETION_LABELS.items()), coerce=str)
    is_required = BooleanField(_l("Required for completing the module"), default=True)
    competences = competences_field()

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = ItemKind(kind)
        for name in OPTIONAL_FIELDS - KIND_FIELDS[self.kind]:
            delattr(self, name)
        labels = {
            ItemKind.VIDEO: (_l("Video file"), _l("Web address of the video")),
            ItemKind.AUDIO: (_l("Audio file"), None),
            ItemKind.FILE: (_l("File to download"), None),
            ItemKind.LINK: (None, _l("Web address")),
        }
        media_label, url_label = labels.get(self.kind, (None, None))
        if media_label and self.has("media"):
            self.media.label.text = media_label
        if url_label and self.has("url"):
            self.url.label.text = url_label
        if self.has("media"):
            allowed = allowed_extensions(MEDIA_KINDS[self.kind])
            self.media.render_kw = {"accept": allowed.replace(" ", "")}
            self.media.description = (
                _l("Upload a video file, or give a web address below. Allowed: %(allowed)s.", allowed=allowed)
                if self.kind == ItemKind.VIDEO
                else _l("Allowed: %(allowed)s.", allowed=allowed)
            )
        if self.has("captions"):
            self.captions.render_kw = {"accept": ".vtt,text/vtt"}
        if self.kind == ItemKind.QUIZ:
            delattr(self, "completion")  # a quiz is completed by passing it
        if self.kind == ItemKind.TEXT:
            self.body.validators = [DataRequired(REQUIRED), Length(max=200_000)]
            self.body.flags.required = True
        else:
            self.body.label.text = _l("Description (Markdown)")
        if self.kind == ItemKind.LINK:
            self.url.validators = [DataRequired(REQUIRED), *self.url.validators[1:]]
            self.url.flags.required = True

    def has(self, name: str) -> bool:
        """Does this kind of item have the field? (Removed fields stay as attributes set to None.)"""
        return name in self._fields

    def value(self, name: str) -> Any:
        return self._fields[name].data if name in self._fields else None

    def titles(self) -> Translated:
        return translated(self, "title", LANGUAGES)


class DeleteForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, delete it"), validators=[DataRequired(_l("Tick the box to confirm the deletion."))]
    )


def kind_choices() -> list[tuple[str, Any]]:
    return [(kind.value, ITEM_KIND_LABELS[kind]) for kind in AUTHORED_KINDS]
