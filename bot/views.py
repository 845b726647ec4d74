"""Screens of the conversation: each function renders one message in the user's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.content import OPTION_LETTERS, Bank, Module
from bot.cycle import UNKNOWN, CyclePolicy, cycle_status
from bot.dialogue import FEATURE, SAY, TOPIC, Step
from bot.locales import LANGUAGE_NAMES, LANGUAGES, count, format_date, t
from bot.quiz import Attempt
from bot.replies import Button, Edit, Keyboard, Reply, callback, column, utf16_length
from bot.report import marks, unreachable_by_department
from bot.review import REVIEW, WAIT_DAYS
from bot.store import ModuleResult, Store
from bot.store.records import Servant

COMMANDS = ("start", "quiz", "progress", "certificate", "language", "help", "ask")
# Replies the dialogue model may choose: plain words, or words that lead back to the menu.
SAY_WITH_TEXT = ("say_greet", "say_goodbye", "say_thanks", "say_bot_challenge")
SAY_WITH_MENU = ("say_out_of_scope", "say_fallback", "say_unavailable")
TRAINING_RULE = "Law 416-V Art. 34(2)"  # the point of code.yml that sets the training cycle


@dataclass(frozen=True)
class Context:
    """Who is being answered, in which language, on which day, with which content and records."""

    bank: Bank
    store: Store
    telegram_id: int
    lang: str
    now: datetime
    policy: CyclePolicy
    commands: tuple[str, ...] = COMMANDS  # the commands this user may use

    @property
    def today(self) -> date:
        """The calendar day in the configured time zone."""
        return self.policy.local_day(self.now)

    def local_date(self, timestamp: str) -> date:
        """A stored UTC timestamp as the calendar date in the configured time zone."""
        return self.policy.local_day(datetime.fromisoformat(timestamp))


def course_name(bank: Bank, lang: str) -> str:
    """The onboarding course's one name: its module's short title, the same words on the menu
    button, the track's screen, reminders and the progress screen."""
    return min(bank.track("onboarding"), key=lambda m: m.id).short_title[lang]


def _when(days_left: int) -> str:
    """Whether a deadline is ahead, today or past: the suffix of the matching string keys."""
    return "soon" if days_left > 0 else "today" if days_left == 0 else "overdue"


def no_buttons() -> Edit:
    """Keep the pressed message's text, take its buttons away."""
    return Edit()


def percent(fraction: float) -> int:
    return round(fraction * 100)


def menu_buttons(ctx: Context) -> Keyboard:
    """The main menu, led by "continue" when a quiz is unfinished."""
    lang = ctx.lang
    buttons = []
    session = ctx.store.open_session(ctx.telegram_id)
    if session is not None and session.module_id in ctx.bank.modules:
        title = ctx.bank.modules[session.module_id].short_title[lang]
        buttons.append(Button(t(lang, "btn_continue", title=title), callback("go", session.module_id)))
    due = len(ctx.store.due_reviews(ctx.telegram_id, ctx.now))
    if due or (session is not None and session.module_id == REVIEW):
        buttons.append(Button(t(lang, "btn_review", count=due), REVIEW))
    buttons += [
        Button(t(lang, "btn_quiz"), "quiz"),
        Button(t(lang, "btn_onboarding", course=course_name(ctx.bank, lang)), "onb"),
        Button(t(lang, "btn_progress"), "prog"),
    ]
    return column(*buttons) + ((Button(t(lang, "btn_language"), "lang"), Button(t(lang, "btn_help"), "help")),)


def menu(ctx: Context, text: str | None = None) -> Reply:
    return Reply(text or t(ctx.lang, "menu"), menu_buttons(ctx))


def _menu_row(lang: str) -> tuple[Button, ...]:
    return (Button(t(lang, "btn_menu"), "menu"),)


def _status_label(module: Module, result: ModuleResult | None, lang: str) -> str:
    """A module button: the status (and best score) first, then the short title."""
    title = module.short_title[lang]
    if result is not None and result.in_progress:
        return t(lang, "status_in_progress", title=title)
    if result is None or result.best_score is None:
        return t(lang, "status_new", title=title)
    key = "status_passed" if result.passed_at else "status_failed"
    return t(lang, key, title=title, score=result.best_score, max=result.max_score)


def _in_order(bank: Bank) -> list[Module]:
    """Onboarding first, then the refresher modules by id."""
    return sorted(bank.modules.values(), key=lambda m: (m.track != "onboarding", m.id))


def track(ctx: Context, track: str | None = None) -> Reply:
    """The modules (of one track, or all) with each one's status; a press opens the module."""
    lang = ctx.lang
    results = ctx.store.results(ctx.telegram_id)
    modules = ctx.bank.track(track) if track else _in_order(ctx.bank)
    rows = column(*(Button(_status_label(m, results.get(m.id), lang), callback("mod", m.id)) for m in modules))
    course = course_name(ctx.bank, lang)
    text = (
        t(lang, "onboarding_intro", course=course)
        if track == "onboarding"
        else t(lang, "quiz_list", course=course, years=count(lang, "year", ctx.policy.years))
    )
    return Reply(text, rows + (_menu_row(lang),))


def module_intro(ctx: Context, module: Module) -> Reply:
    """A module's title, size and pass mark, with start (or continue) and its Code card."""
    lang = ctx.lang
    resuming = ctx.store.open_session(ctx.telegram_id, module.id) is not None
    text = t(
        lang,
        "module_intro",
        title=module.title[lang],
        questions=count(lang, "question", len(module.questions)),
        mark=percent(module.pass_mark),
    )
    return Reply(
        text,
        column(
            Button(t(lang, "btn_resume" if resuming else "btn_start"), callback("go", module.id)),
            Button(t(lang, "btn_card"), callback("card", module.id)),
            Button(t(lang, "btn_menu"), "menu"),
        ),
    )


def card(module: Module, lang: str) -> Reply:
    """What the Code says on the module's subject."""
    return Reply(
        f"{module.title[lang]}\n\n{module.card[lang]}",
        column(
            Button(t(lang, "btn_start"), callback("go", module.id)),
            Button(t(lang, "btn_menu"), "menu"),
        ),
    )


def _question_text(attempt: Attempt, lang: str) -> str:
    question = attempt.current
    header = t(
        lang, "question_header", title=attempt.module.title[lang], n=attempt.position + 1, total=len(attempt.questions)
    )
    options = "\n".join(
        f"{OPTION_LETTERS[shown]}) {question.options[original].text[lang]}"
        for shown, original in enumerate(attempt.option_order(question))
    )
    return f"{header}\n\n{question.scenario[lang]}\n\n{options}"


def question(attempt: Attempt, session_id: int, lang: str) -> Reply:
    """The current question with a lettered button per option."""
    order = attempt.option_order(attempt.current)
    row = tuple(
        Button(OPTION_LETTERS[shown], callback("ans", session_id, attempt.position, shown))
        for shown in range(len(order))
    )
    return Reply(_question_text(attempt, lang), (row,), is_question=True)


def answered(bank: Bank, attempt: Attempt, session_id: int, lang: str) -> Reply:
    """The question message turned into its feedback, one message per answer that stays readable in
    the chat: the scenario, the option chosen, right or wrong, why, the points that decide it, and
    Next unless it was the last question."""
    question = attempt.current
    header = t(
        lang, "question_header", title=attempt.module.title[lang], n=attempt.position + 1, total=len(attempt.questions)
    )
    shown = attempt.option_order(question).index(attempt.answers[question.id])
    chosen = question.options[attempt.option_order(question)[shown]].text[lang]
    correct_shown = attempt.option_order(question).index(question.correct_index)
    if attempt.answers[question.id] == question.correct_index:
        verdict = t(lang, "right")
    else:
        verdict = t(
            lang,
            "wrong",
            letter=OPTION_LETTERS[correct_shown],
            text=question.options[question.correct_index].text[lang],
        )
    cites = "\n".join(f"• {bank.points[c].label[lang]}: {bank.points[c].summary[lang]}" for c in question.cite)
    your_answer = t(lang, "your_answer", letter=f"{OPTION_LETTERS[shown]}) {chosen}")
    text = (
        f"{header}\n\n{question.scenario[lang]}\n\n{your_answer}\n\n{verdict}\n\n"
        f"{question.explanation[lang]}\n\n{t(lang, 'cited')}\n{cites}"
    )
    is_last = attempt.position == len(attempt.questions) - 1
    buttons = () if is_last else ((Button(t(lang, "btn_next"), callback("next", session_id, attempt.position)),),)
    return Reply(text, buttons)


def summary(attempt: Attempt, lang: str) -> Reply:
    """The score as N/M and whether the module is passed."""
    score, max_score = attempt.score()
    mark = percent(attempt.module.pass_mark)
    verdict = t(lang, "passed" if attempt.passed() else "failed", mark=mark)
    text = f"{t(lang, 'summary', title=attempt.module.title[lang], score=score, max=max_score)}\n{verdict}"
    return Reply(
        text,
        column(
            Button(t(lang, "btn_retry"), callback("go", attempt.module.id)),
            Button(t(lang, "btn_quiz"), "quiz"),
            Button(t(lang, "btn_menu"), "menu"),
        ),
    )


def _cycle_lines(ctx: Context) -> list[str]:
    """The training cycle: last completion (or none yet), due date, days left or overdue; a new
    hire's onboarding deadline."""
    lang = ctx.lang
    dates = ctx.store.cycle(ctx.telegram_id)
    cycle = cycle_status(dates.due_on, ctx.today, ctx.policy)
    if cycle.status == UNKNOWN:
        lines = [t(lang, "cycle_unknown", years=count(lang, "year", ctx.policy.years))]
    else:
        done = (
            t(lang, "cycle_completed", date=format_date(dates.completed_on, lang))
            if dates.completed_on
            else t(lang, "cycle_never")
        )
        due = t(
            lang,
            f"cycle_{_when(cycle.days_left)}",
            due=format_date(dates.due_on, lang),
            days=count(lang, "day", abs(cycle.days_left)),
        )
        lines = [f"{done} {due}"]
    if dates.onboarding_due_on:
        lines.append(
            t(
                lang,
                "onboarding_due",
                course=course_name(ctx.bank, lang),
                due=format_date(dates.onboarding_due_on, lang),
            )
        )
    return lines


def next_module(ctx: Context, track: str) -> Module | None:
    """The first module of the track not passed since the last completed cycle."""
    results = ctx.store.results(ctx.telegram_id)
    since = ctx.store.cycle(ctx.telegram_id).completed_on
    for module in sorted(ctx.bank.track(track), key=lambda m: m.id):
        passed = results.get(module.id) and results[module.id].passed_at
        if not passed or (since and ctx.local_date(passed) <= since and track == "refresher"):
            return module
    return None


def reminder(ctx: Context, kind: str, due_on: date) -> Reply:
    """A reminder of the cycle or onboarding deadline, with a button to the next unfinished module."""
    lang = ctx.lang
    days = (due_on - ctx.today).days
    text = t(
        lang,
        f"reminder_{kind}_{_when(days)}",
        due=format_date(due_on, lang, long=True),
        days=count(lang, "day", abs(days)),
        years=count(lang, "year", ctx.policy.years),
        course=course_name(ctx.bank, lang),
    )
    module = next_module(ctx, "onboarding" if kind == "onboarding" else "refresher")
    buttons = (
        column(Button(t(lang, "btn_practise", title=module.short_title[lang]), callback("mod", module.id)))
        if module
        else ()
    )
    return Reply(text, buttons)


def digest(lang: str, standing: list[Servant], text_limit: int) -> Reply:
    """The coordinators' weekly list of overdue and soon-due servants, unreachable ones marked; what
    does not fit in one message is counted in a last line that points to /overdue."""
    overdue = [s for s in standing if s.days_left < 0]
    soon = [s for s in standing if s.days_left >= 0]
    lines = [t(lang, "digest_title", overdue=len(overdue), soon=len(soon))]
    unreachable = unreachable_by_department(standing, lang)
    if unreachable:
        lines.append(unreachable)
    budget = text_limit - utf16_length(t(lang, "digest_more", count=len(standing))) - 1
    shown, full = 0, False
    for heading, group in (("digest_overdue", overdue), ("digest_soon", soon)):
        if not group or full:
            continue
        lines += ["", t(lang, heading)]
        for servant in group:
            due = format_date(date.fromisoformat(servant.due_on), lang)
            line = f"• {servant.name} ({servant.department}): {due}{marks(servant, lang)}"
            if utf16_length("\n".join([*lines, line])) > budget:
                full = True
                break
            lines.append(line)
            shown += 1
    if shown < len(standing):
        lines.append(t(lang, "digest_more", count=len(standing) - shown))
    return Reply("\n".join(lines))


def review_summary(ctx: Context, attempt: Attempt) -> Reply:
    """How the review went, and when the missed questions come back."""
    score, max_score = attempt.score()
    text = t(ctx.lang, "review_summary", score=score, max=max_score, days=count(ctx.lang, "day", WAIT_DAYS[0]))
    return menu(ctx, text)


def progress(ctx: Context) -> Reply:
    """Each module's best score, whether and when it was passed, and the training cycle."""
    lang = ctx.lang
    results = ctx.store.results(ctx.telegram_id)
    lines = [t(lang, "progress_title"), ""]
    for module in _in_order(ctx.bank):
        result = results.get(module.id)
        title = module.title[lang]
        if result is not None and result.best_score is not None:
            key = "progress_passed" if result.passed_at else "progress_failed"
            day = format_date(ctx.local_date(result.passed_at or result.last_completed_at), lang)
            lines.append(t(lang, key, title=title, score=result.best_score, max=result.max_score, date=day))
        elif result is not None and result.in_progress:
            lines.append(t(lang, "progress_in_progress", title=title))
        else:
            lines.append(t(lang, "progress_new", title=title))
    lines += ["", *_cycle_lines(ctx)]
    return Reply("\n".join(lines), (_menu_row(lang),))


def training_due(ctx: Context) -> Reply:
    """When the servant's training is due, with the rule behind the dates: who must train, how
    often, and what counts."""
    lang = ctx.lang
    lines = _cycle_lines(ctx)
    basis = ctx.bank.points.get(TRAINING_RULE)
    if basis is not None:
        lines += ["", t(lang, "training_rule", years=count(lang, "year", ctx.policy.years), basis=basis.label[lang])]
    return Reply("\n".join(lines), (_menu_row(lang),))


def language_picker(lang: str) -> Reply:
    row = tuple(Button(LANGUAGE_NAMES[code], callback("lang", code)) for code in LANGUAGES)
    return Reply(t(lang, "language_choose"), (row,))


def help_text(ctx: Context) -> Reply:
    """What the bot does and the commands this user may use."""
    lang = ctx.lang
    listing = "\n".join(f"/{name} — {t(lang, f'cmd_{name}')}" for name in ctx.commands)
    return Reply(t(lang, "help", commands=listing), (_menu_row(lang),))


def topic_answer(bank: Bank, topic_id: str, lang: str) -> Reply:
    """A short answer on one subject of the Code, with a button to practise it."""
    topic = bank.topics[topic_id]
    module = bank.modules[topic.module_id]
    return Reply(
        topic.answer[lang],
        column(
            Button(t(lang, "btn_practise", title=module.short_title[lang]), callback("mod", module.id)),
        ),
    )


def step(ctx: Context, step: Step) -> Reply:
    """Render one step the dialogue model decided on."""
    lang = ctx.lang
    if step.kind == TOPIC and step.name in ctx.bank.topics:
        return topic_answer(ctx.bank, step.name, lang)
    if step.kind == FEATURE:
        features = {
            "quiz": lambda: track(ctx),
            "onboarding": lambda: track(ctx, "onboarding"),
            "progress": lambda: progress(ctx),
            "due": lambda: training_due(ctx),
            "language": lambda: language_picker(lang),
            "help": lambda: help_text(ctx),
        }
        return features.get(step.name, lambda: menu(ctx))()
    if step.kind == SAY and step.name in SAY_WITH_TEXT:
        return Reply(t(lang, step.name))
    if step.kind == SAY and step.name in SAY_WITH_MENU:
        return menu(ctx, t(lang, step.name))
    return menu(ctx, t(lang, "free_text_menu"))
