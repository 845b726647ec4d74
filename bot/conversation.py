"""The conversation: one input (command, button, text) in, replies out, for every chat adapter.

Telegram and the terminal both call this class, so the dialogue is written once. It holds no
state of its own: everything that must survive a restart is in the store.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot import typed, views
from bot.ask import AskPolicy
from bot.commissioners import COMMISSIONER_COMMANDS, Commissioners
from bot.certificate import VERIFY_PREFIX, Certificates
from bot.content import Bank, Module
from bot.coordinators import COORDINATOR_COMMANDS, Coordination, NotPermitted, Request, coordinator_command
from bot.cycle import CyclePolicy
from bot.dialogue import FEATURE, TOPIC, Dialogue, Step
from bot.feedback import RATE, SKIP, FeedbackFlow, rating_prompt
from bot.locales import LANGUAGES, count, pick_language, t
from bot.quiz import Attempt, Plan, StaleAction
from bot.replies import Edit, File, Outcome, Reply, callback_number, parse_callback
from bot.review import REVIEW, SESSION_SIZE, review_module
from bot.store import IssuedCertificate, Session, Store
from bot.store.roster import EXPIRED, LINKED, InviteRefused
from bot.views import COMMANDS, Context

TEXT_LIMIT = 1000
__all__ = ["COMMANDS", "Conversation", "User"]


@dataclass(frozen=True)
class User:
    """Who wrote, as the chat platform tells us."""

    telegram_id: int
    first_name: str | None = None
    language_code: str | None = None


def _in_place(reply: Reply) -> Outcome:
    """A screen that replaces the message whose button was pressed, so menus do not pile up."""
    return Outcome(edit=Edit(reply.text, reply.buttons, reply.is_question))


class Conversation:
    """Turns inputs into replies; the only place that decides what the bot says."""

    def __init__(
        self,
        bank: Bank,
        store: Store,
        default_language: str,
        clock: Callable[[], datetime],
        dialogue: Dialogue | None = None,
        policy: CyclePolicy = CyclePolicy(),
        coordinator_ids: frozenset[int] = frozenset(),
        seed: Callable[[], int] = lambda: random.getrandbits(31),
        item_min_attempts: int = 30,
        ask: AskPolicy = AskPolicy(),
        bot_username: str | None = None,
    ):
        self.bank, self.store, self.clock, self.policy = bank, store, clock, policy
        self.default_language, self.dialogue, self.seed = default_language, dialogue, seed
        self.coordination = Coordination(store, bank, coordinator_ids, policy, item_min_attempts)
        self.commissioners = Commissioners(store, ask, clock, default_language, policy.local_day)
        self.feedback = FeedbackFlow(store, clock)
        self.certificates = Certificates(store, bank, policy, clock, bot_username)
        self.asking: set[int] = set()  # users whose typed text is with the dialogue model now

    def commands(self, telegram_id: int) -> tuple[str, ...]:
        """The commands this user may use: everyone's, and a coordinator's or commissioner's own."""
        commands = COMMANDS
        try:
            self.coordination.scope(telegram_id)
            commands += COORDINATOR_COMMANDS
        except NotPermitted:
            pass
        if self.commissioners.is_commissioner(telegram_id):
            commands += COMMISSIONER_COMMANDS
        return commands

    def _context(self, user: User) -> Context:
        """Record the contact and settle the language: chosen, else Telegram's, else the default."""
        now = self.clock()
        self.store.touch_user(user.telegram_id, user.first_name, now)
        lang = pick_language(self.store.language(user.telegram_id), user.language_code, default=self.default_language)
        return Context(self.bank, self.store, user.telegram_id, lang, now, self.policy, self.commands(user.telegram_id))

    # commands ----------------------------------------------------------------------------

    async def command(self, user: User, name: str, args: str = "") -> Outcome:
        """A slash command such as /start (with its deep-link argument) or /quiz."""
        ctx = self._context(user)
        self.commissioners.leave(ctx.telegram_id)
        self.feedback.moved_on(ctx.telegram_id)
        if name == "start" and args.strip() == "onboarding":
            return Outcome([views.track(ctx, "onboarding")])
        if name == "start" and args.strip().startswith(VERIFY_PREFIX):
            return Outcome([Reply(self.certificates.verify(args.strip()[len(VERIFY_PREFIX) :], ctx.lang))])
        if name == "start" and args.strip():
            return self._link(ctx, args.strip())
        if name == "start":
            return Outcome([Reply(t(ctx.lang, "greeting", name=user.first_name or "")), views.menu(ctx)])
        if name in COORDINATOR_COMMANDS:
            return await self._coordinator_command(ctx, name, args)
        if name == "ask":
            return self.commissioners.start(ctx)
        if name == "inbox":
            return self.commissioners.inbox(ctx)
        if name == "certificate":
            return await self._certificate(ctx)
        screens = {
            "quiz": lambda: views.track(ctx),
            "progress": lambda: views.progress(ctx),
            "language": lambda: views.language_picker(ctx.lang),
        }
        return Outcome([screens.get(name, lambda: views.help_text(ctx))()])

    def _link(self, ctx: Context, code: str) -> Outcome:
        """An invite deep link: link this Telegram account to the roster record, once; an account
        already linked to another employee keeps its record."""
        try:
            with self.store.transaction():  # the link and the cycle it changes stand or fall together
                employee = self.store.claim_invite(code, ctx.telegram_id, self.clock())
                self.refresh_cycle(ctx.telegram_id)
        except InviteRefused as refused:
            if refused.reason == LINKED:
                text = t(
                    ctx.lang,
                    "invite_account_linked",
                    name=refused.linked_to.full_name,
                    department=refused.linked_to.department,
                )
            else:
                text = t(ctx.lang, "invite_expired" if refused.reason == EXPIRED else "invite_invalid")
            return Outcome([views.menu(ctx, text)])
        text = t(ctx.lang, "invite_linked", name=employee.full_name, department=employee.department)
        return Outcome([views.menu(ctx, text)])

    async def _coordinator_command(self, ctx: Context, name: str, args: str) -> Outcome:
        """A command of the coordinators' table: only for coordinators, within their departments."""
        try:
            scope = self.coordination.scope(ctx.telegram_id)
        except NotPermitted:
            return Outcome([Reply(t(ctx.lang, "not_permitted"))])
        command = coordinator_command(name)
        return await command.handler(self.coordination, Request(ctx.lang, ctx.today, scope, args))

    def unavailable(self, user: User) -> Outcome:
        """The database is locked by another process or full: say so, in the language Telegram
        reports (the stored choice may be unreadable too)."""
        text = t(pick_language(None, user.language_code, default=self.default_language), "temporarily_unavailable")
        return Outcome([Reply(text)], notice=text)

    def private_only(self, user: User) -> Outcome:
        """A command or button in a group chat: one line pointing to the private chat, nothing recorded."""
        lang = pick_language(self.store.language(user.telegram_id), user.language_code, default=self.default_language)
        return Outcome([Reply(t(lang, "private_only"))], notice=t(lang, "private_only"))

    # buttons -----------------------------------------------------------------------------

    async def button(self, user: User, data: str) -> Outcome:
        """A pressed inline button; anything stale or forged gets a notice and changes nothing."""
        ctx = self._context(user)
        action, args = parse_callback(data)
        if action not in ("ask", "qa", "qs"):
            self.commissioners.leave(ctx.telegram_id)
        if action not in (RATE, SKIP):
            self.feedback.moved_on(ctx.telegram_id)
        try:
            if not args and action in ("menu", "quiz", "onb", "prog", "help", "lang"):
                return _in_place(self._screen(ctx, action))
            if not args and action == REVIEW:
                return self._start_review(ctx)
            if action == "lang" and len(args) == 1:
                return self._set_language(ctx, args[0])
            if action == "mod" and len(args) == 1:
                return _in_place(views.module_intro(ctx, self._module(args[0])))
            if action == "card" and len(args) == 1:
                return _in_place(views.card(self._module(args[0]), ctx.lang))
            if action == "go" and len(args) == 1:
                return self._start(ctx, self._module(args[0]))
            if action == "ans" and len(args) == 3:
                session_id, position, index = map(callback_number, args)
                return await self._answer(ctx, session_id, position, index)
            if action == "next" and len(args) == 2:
                session_id, position = map(callback_number, args)
                return self._next(ctx, session_id, position)
            if action in ("ask", "qa", "qs"):
                return self.commissioners.button(ctx, user.first_name, action, args)
            if action in (RATE, SKIP):
                return self.feedback.press(ctx.telegram_id, ctx.lang, action, args)
        except (StaleAction, ValueError, KeyError):
            pass
        return Outcome(notice=t(ctx.lang, "stale_button"))

    def _screen(self, ctx: Context, action: str) -> Reply:
        screens = {
            "menu": lambda: views.menu(ctx),
            "quiz": lambda: views.track(ctx),
            "onb": lambda: views.track(ctx, "onboarding"),
            "prog": lambda: views.progress(ctx),
            "help": lambda: views.help_text(ctx),
            "lang": lambda: views.language_picker(ctx.lang),
        }
        return screens[action]()

    def _module(self, module_id: str) -> Module:
        return self.bank.modules[module_id]

    def _set_language(self, ctx: Context, lang: str) -> Outcome:
        if lang not in LANGUAGES:
            raise KeyError(lang)
        self.store.set_language(ctx.telegram_id, lang)
        ctx = replace(ctx, lang=lang)
        return _in_place(views.menu(ctx, t(lang, "language_set")))

    # the quiz ----------------------------------------------------------------------------

    def _attempt(self, session: Session) -> Attempt:
        module = (
            review_module(self.bank, session.plan.questions)
            if session.module_id == REVIEW
            else self._module(session.module_id)
        )
        return Attempt(module, session.plan, session.position, dict(session.answers))

    def _own_session(self, ctx: Context, session_id: int) -> Session:
        session = self.store.session(session_id)
        if session is None or session.telegram_id != ctx.telegram_id:
            raise StaleAction(str(session_id))
        return session

    def _start(self, ctx: Context, module: Module) -> Outcome:
        """Begin the module, or resume the unfinished attempt exactly where it stopped."""
        plan = Plan.draw(module, self.seed())
        session = self.store.start_session(ctx.telegram_id, module.id, module.track, plan, self.clock())
        return _in_place(self._resume_view(session, ctx.lang))

    def _start_review(self, ctx: Context) -> Outcome:
        """A session of the questions due for review (or the unfinished one), or word that none are due."""
        session = self.store.open_session(ctx.telegram_id, REVIEW)
        if session is None:
            due = self.store.due_reviews(ctx.telegram_id, self.clock())[:SESSION_SIZE]
            if not due:
                return _in_place(views.menu(ctx, t(ctx.lang, "review_none")))
            module = review_module(self.bank, due)
            plan = Plan.draw(module, self.seed())
            session = self.store.start_session(ctx.telegram_id, REVIEW, REVIEW, plan, self.clock())
        return _in_place(self._resume_view(session, ctx.lang))

    def _resume_view(self, session: Session, lang: str) -> Reply:
        attempt = self._attempt(session)
        self.store.show_question(session.telegram_id, session.id, attempt.position)
        if attempt.awaiting_next:
            return views.answered(self.bank, attempt, session.id, lang)
        return views.question(attempt, session.id, lang)

    async def _answer(self, ctx: Context, session_id: int, position: int, index: int) -> Outcome:
        session = self._own_session(ctx, session_id)
        attempt = self._attempt(session)
        result = attempt.answer(position, index)
        finished, is_module = position == len(attempt.questions) - 1, attempt.module.id != REVIEW
        with self.store.transaction():  # the last answer, the completion and the cycle stand or fall together
            recorded = self.store.record_answer(
                session.id,
                position,
                result.question.id,
                "; ".join(result.question.cite),
                result.chosen,
                result.correct,
                self.clock(),
                ctx.lang,
            )
            if not recorded:
                raise StaleAction(result.question.id)
            if finished:
                score, max_score = attempt.score()
                self.store.complete(session.id, score, max_score, attempt.passed(), self.clock(), log=is_module)
                if is_module:
                    self.refresh_cycle(ctx.telegram_id)
        replies: list[Reply] = []
        edit = _in_place(views.answered(self.bank, attempt, session.id, ctx.lang)).edit
        if finished:
            replies.append(views.summary(attempt, ctx.lang) if is_module else views.review_summary(ctx, attempt))
            if is_module:
                replies.append(rating_prompt(session.id, ctx.lang))
                issued = (
                    self.certificates.after_pass(ctx.telegram_id, attempt.module.track) if attempt.passed() else None
                )
                files = [await self._document(issued, ctx.lang)] if issued else []
                return Outcome(replies, edit=edit, files=files)
        return Outcome(replies, edit=edit)

    def _next(self, ctx: Context, session_id: int, position: int) -> Outcome:
        session = self._own_session(ctx, session_id)
        attempt = self._attempt(session)
        attempt.advance(position)
        if not self.store.advance(session.id, position, self.clock()):
            raise StaleAction(str(position))
        self.store.show_question(ctx.telegram_id, session.id, attempt.position)
        return Outcome([views.question(attempt, session.id, ctx.lang)])

    def refresh_cycle(self, telegram_id: int) -> None:
        """Recompute the servant's training cycle after anything that may change it."""
        self.store.refresh_cycle(
            telegram_id,
            [m.id for m in self.bank.track("refresher")],
            [m.id for m in self.bank.track("onboarding")],
            self.policy,
            self.clock(),
        )

    # free text ---------------------------------------------------------------------------

    async def text(self, user: User, text: str) -> Outcome:
        """Typed text: a question to the Commissioner (or a commissioner's answer) when one is awaited, an
        answer or "stop" during a quiz, otherwise understood by the dialogue model."""
        ctx = self._context(user)
        comment = self.feedback.typed(ctx.telegram_id, ctx.lang, text)
        if comment is not None:
            return comment
        awaited = self.commissioners.typed(ctx, text)
        if awaited is not None:
            return awaited
        if len(text) > TEXT_LIMIT:
            return Outcome(
                [
                    Reply(
                        t(
                            ctx.lang,
                            "too_long",
                            length=count(ctx.lang, "character", len(text)),
                            limit=count(ctx.lang, "character", TEXT_LIMIT),
                        )
                    )
                ]
            )
        on_screen = self.store.question_on_screen(ctx.telegram_id)
        session = on_screen[0] if on_screen else None
        if on_screen is not None:
            typed_outcome = await self._typed_in_quiz(ctx, *on_screen, text)
            if typed_outcome is not None:
                return typed_outcome
        if self.dialogue is None:
            return Outcome([views.menu(ctx, t(ctx.lang, "free_text_menu"))])
        if ctx.telegram_id in self.asking:  # at most one question to the model per user at a time
            return Outcome([Reply(t(ctx.lang, "one_moment"))])
        self.asking.add(ctx.telegram_id)
        try:
            steps = await self.dialogue.respond(ctx.telegram_id, text, ctx.lang)
        finally:
            self.asking.discard(ctx.telegram_id)
        replies = [reply for step in steps for reply in self._step(ctx, step)]
        if session is not None and any(step.kind == TOPIC for step in steps):
            replies.append(self._resume_view(session, ctx.lang))
        return Outcome(replies)

    def _step(self, ctx: Context, step: Step) -> list[Reply]:
        """A step of the dialogue model; asking the Commissioner starts the /ask dialogue."""
        if step == Step(FEATURE, "ask"):
            return self.commissioners.start(ctx).replies
        return [views.step(ctx, step)]

    async def _typed_in_quiz(self, ctx: Context, session: Session, shown: int, text: str) -> Outcome | None:
        """A typed option for the question on screen (at position `shown` of `session`), or "stop";
        None when the text is neither or that question is no longer awaiting an answer."""
        if typed.is_stop(text):
            return Outcome([Reply(t(ctx.lang, "quiz_paused"), views.menu_buttons(ctx))])
        attempt = self._attempt(session)
        current = attempt.current
        if current is None or attempt.awaiting_next or attempt.position != shown:
            return None
        choice = typed.option_choice(text, len(current.options))
        if choice is None:
            return None
        return await self._answer(ctx, session.id, attempt.position, choice)

    async def _certificate(self, ctx: Context) -> Outcome:
        """The servant's latest certificate again, in today's language, or word that there is none yet."""
        issued = self.certificates.latest(ctx.telegram_id)
        if issued is None:
            return Outcome([Reply(t(ctx.lang, "certificate_none"), views.menu_buttons(ctx))])
        return Outcome(files=[await self._document(issued, ctx.lang)])

    async def _document(self, issued: IssuedCertificate, lang: str) -> File:
        """Render the PDF in a worker thread: the event loop keeps serving other chats meanwhile."""
        return await asyncio.to_thread(self.certificates.document, issued, lang)

    async def unsupported(self, user: User, edited: bool = False) -> Outcome:
        """Stickers, photos, voice, files, edits: a polite word, never a crash."""
        ctx = self._context(user)
        return Outcome([Reply(t(ctx.lang, "edited_message" if edited else "unsupported_message"))])
