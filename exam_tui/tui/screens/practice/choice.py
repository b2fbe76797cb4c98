"""What to practise: the bank, how (in order, at random, or the wrong-answer book), and the category.

Three lists side by side: ↑↓ choose in a list, Tab goes to the next list, Enter starts. The line below
the lists says in words what Enter will start. The book's entry shows how many of the bank's questions
are in the cadre's book, and cannot be chosen while there are none; B shows the book itself.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from exam_tui.i18n import t
from exam_tui.services import practice
from exam_tui.services.banks import list_banks, show_bank
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.screens.practice.common import Begun, begin, failure_text, mode_name
from exam_tui.tui.screens.practice.run import PracticeRunScreen
from exam_tui.tui.text import translate_bindings
from exam_tui.tui.widgets.prose import Prose

if TYPE_CHECKING:
    from exam_tui.services.runtime import Database
    from exam_tui.tui.app import ExamApp

MODES = ("sequential", "random", "wrong_book")
ALL = "*all*"  # the category entry meaning the whole bank (no category slug looks like this)


@dataclass(frozen=True)
class BankChoice:
    slug: str
    title: str
    questions: int
    categories: tuple[tuple[str, str, int], ...]  # slug, title, questions
    book: int  # questions of this bank in the cadre's wrong-answer book


def bank_choices(db: Database, cadre_id: int) -> list[BankChoice]:
    """The imported banks with their categories and the cadre's book count for each (blocking)."""
    book = Counter(entry.bank for entry in practice.wrong_book(db, cadre_id))
    out = []
    for bank in list_banks(db):
        detail = show_bank(db, bank.slug)
        categories = tuple((c.slug, c.title, c.total) for c in detail.categories if c.total)
        out.append(BankChoice(bank.slug, bank.title, bank.questions, categories, book[bank.slug]))
    return out


class PracticeChoiceScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: Enter in any of the lists starts what the three lists show.
        Binding("enter", "start", "key.practice_start", key_display="Enter", priority=True),
        Binding("tab", "app.focus_next", "key.practice_next_list", key_display="Tab"),
        Binding("b,B", "book", "key.practice_book", key_display="B"),
        Binding("escape", "sign_out", "key.practice_sign_out", key_display="Esc"),
    ]
    CSS_PATH = "practice.tcss"

    class Loaded(Message):
        def __init__(self, banks: list[BankChoice]) -> None:
            super().__init__()
            self.banks = banks

    class Started(Message):
        def __init__(self, begun: Begun) -> None:
            super().__init__()
            self.begun = begun

    class Refused(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, who: practice.Practiser) -> None:
        super().__init__()
        self.who = who
        self.banks: list[BankChoice] = []
        self.bank: BankChoice | None = None
        self.mode = MODES[0]
        self.category = ALL
        self.busy = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(
            t("practice.choice.title", name=self.who.name, id=self.who.id_number_masked),
            id="choice-title",
            classes="screen-title",
            markup=False,
        )
        with Horizontal(id="choice-lists"):
            for name, title in (
                ("banks", "practice.choice.banks"),
                ("modes", "practice.choice.modes"),
                ("categories", "practice.choice.categories"),
            ):
                options = OptionList(id=f"choice-{name}", classes="choice-list")
                options.border_title = t(title)
                yield options
        yield Static(t("practice.choice.loading"), id="choice-ready", markup=False)
        yield Static("", id="choice-error", classes="error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#choice-banks", OptionList).focus()

    def on_screen_resume(self) -> None:
        # On arrival and back from a run or the book: the book's counts have changed.
        self.busy = False
        self.query_one("#choice-error", Static).update("")
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="choice")
    def load(self) -> None:
        try:
            banks = bank_choices(self.app.db, self.who.cadre_id)
        except Exception as exc:
            self.post_message(LoadFailed(failure_text(exc)))
        else:
            self.post_message(self.Loaded(banks))

    def on_load_failed(self, message: LoadFailed) -> None:
        self.query_one("#choice-error", Static).update(message.detail)

    def on_practice_choice_screen_loaded(self, message: Loaded) -> None:
        self.banks = message.banks
        lists = self.query_one("#choice-banks", OptionList)
        slug = self.bank.slug if self.bank is not None else None
        lists.set_options(Option(b.title, id=b.slug) for b in self.banks)
        if not self.banks:
            self.bank = None
            self.query_one("#choice-ready", Static).update(t("practice.choice.no_banks"))
            return
        index = next((i for i, b in enumerate(self.banks) if b.slug == slug), 0)
        lists.highlighted = index
        self._choose_bank(self.banks[index])

    def _choose_bank(self, bank: BankChoice) -> None:
        """The modes and categories of ``bank``, keeping what was chosen where it still applies."""
        self.bank = bank
        modes = self.query_one("#choice-modes", OptionList)
        book = t("practice.mode.book_count", n=bank.book) if bank.book else t("practice.mode.book_none")
        modes.set_options(
            [
                Option(mode_name("sequential"), id="sequential"),
                Option(mode_name("random"), id="random"),
                Option(book, id="wrong_book", disabled=not bank.book),
            ]
        )
        if self.mode == "wrong_book" and not bank.book:
            self.mode = MODES[0]
        modes.highlighted = MODES.index(self.mode)
        categories = self.query_one("#choice-categories", OptionList)
        categories.set_options(
            [
                Option(t("practice.category.all", n=bank.questions), id=ALL),
                # Broken between characters, never before a closing mark, the count kept whole.
                *(
                    Option(Prose(c, tail=t("practice.category.count", n=n)), id=s)
                    for s, c, n in bank.categories
                ),
            ]
        )
        slugs = [ALL, *(s for s, _, _ in bank.categories)]
        if self.category not in slugs:
            self.category = ALL
        categories.highlighted = slugs.index(self.category)
        self._ready()

    def _ready(self) -> None:
        """Say what Enter starts; a book run takes no category."""
        bank = self.bank
        if bank is None:
            return
        self.query_one("#choice-categories", OptionList).disabled = self.mode == "wrong_book"
        if self.mode == "wrong_book":
            text = t("practice.choice.ready_book", bank=bank.title, n=bank.book)
        else:
            text = t(
                "practice.choice.ready", bank=bank.title, mode=mode_name(self.mode), category=self._scope()
            )
        self.query_one("#choice-ready", Static).update(text)

    def _scope(self) -> str:
        bank = self.bank
        titles = {s: c for s, c, _ in bank.categories} if bank is not None else {}
        return titles.get(self.category, t("practice.category.all_short"))

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        chosen = event.option.id
        if chosen is None:
            return
        if event.option_list.id == "choice-banks":
            bank = next((b for b in self.banks if b.slug == chosen), None)
            if bank is not None and bank is not self.bank:
                self._choose_bank(bank)
        elif event.option_list.id == "choice-modes":
            self.mode = chosen
            self._ready()
        else:
            self.category = chosen
            self._ready()

    def action_start(self) -> None:
        bank = self.bank
        if bank is None or self.busy or (self.mode == "wrong_book" and not bank.book):
            return
        self.busy = True
        self.query_one("#choice-error", Static).update("")
        self.query_one("#choice-ready", Static).update(t("practice.choice.starting"))
        book = self.mode == "wrong_book"
        category = None if book or self.category == ALL else self.category
        scope = "" if book else self._scope()
        self._begin(bank.slug, self.mode, category, scope)

    @work(thread=True, exclusive=True, exit_on_error=False, group="choice")
    def _begin(self, bank: str, mode: str, category: str | None, scope: str) -> None:
        app = self.app
        try:
            begun = begin(
                app.db,
                self.who,
                bank=bank,
                mode=mode,
                category=category,
                scope=scope,
                clock=app.service_clock,
            )
        except Exception as exc:
            self.post_message(self.Refused(failure_text(exc)))
        else:
            self.post_message(self.Started(begun))

    def on_practice_choice_screen_refused(self, message: Refused) -> None:
        self.busy = False
        self._ready()
        self.query_one("#choice-error", Static).update(message.text)

    def on_practice_choice_screen_started(self, message: Started) -> None:
        self.app.push_screen(PracticeRunScreen(message.begun))

    def action_book(self) -> None:
        if self.bank is None or self.busy:
            return
        from exam_tui.tui.screens.practice.book import PracticeBookScreen

        self.app.push_screen(PracticeBookScreen(self.who, self.bank.slug, self.bank.title))

    def action_sign_out(self) -> None:
        self.app.pop_screen()
