"""Screens of the /ask dialogue and of the Ethics Commissioner's inbox, in the reader's language."""

from __future__ import annotations

from datetime import date

from bot.ask import ANONYMOUS, NAMED, QUESTION_LIMIT
from bot.locales import count, format_date, t
from bot.replies import Button, Keyboard, Reply, callback, column
from bot.store import Question

INBOX_PAGE = 20  # questions shown by one /inbox


def _limit(lang: str) -> str:
    return count(lang, "character", QUESTION_LIMIT)


def intro(lang: str) -> Reply:
    """What the Commissioner is for and the invitation to write."""
    return Reply(t(lang, "ask_intro", limit=_limit(lang)))


def refusal(lang: str, key: str, length: int) -> Reply:
    """Why the text was not taken (empty or too long); the dialogue still waits for it."""
    return Reply(t(lang, key, length=count(lang, "character", length), limit=_limit(lang)))


def mode_choice(lang: str, nonce: str) -> Reply:
    """With my name or anonymously, or cancel."""
    return Reply(
        t(lang, "ask_mode"),
        column(
            Button(t(lang, "btn_ask_named"), callback("ask", NAMED, nonce)),
            Button(t(lang, "btn_ask_anonymous"), callback("ask", ANONYMOUS, nonce)),
            Button(t(lang, "btn_cancel"), callback("ask", "no", nonce)),
        ),
    )


def question_text(lang: str, question: Question, header: str) -> str:
    """A question as a Commissioner reads it: header, sender (named only), date, text."""
    sender = (
        t(lang, "question_anonymous")
        if question.mode == ANONYMOUS
        else t(
            lang,
            "question_from",
            name=question.sender_name or "—",
            department=question.department or t(lang, "question_no_department"),
        )
    )
    asked = t(lang, "question_asked", date=format_date(date.fromisoformat(question.asked_on), lang))
    return f"{header}\n{sender}\n{asked}\n\n{question.text}"


def preview(lang: str, question: Question, nonce: str) -> Reply:
    """Exactly what the Commissioner will see, with send and cancel."""
    body = question_text(lang, question, t(lang, "question_new", ref=question.ref))
    return Reply(
        f"{t(lang, 'ask_preview')}\n\n{body}",
        column(
            Button(t(lang, "btn_ask_send"), callback("ask", "ok", nonce)),
            Button(t(lang, "btn_cancel"), callback("ask", "no", nonce)),
        ),
    )


def _handling(lang: str, question_id: int) -> Keyboard:
    return (
        (
            Button(t(lang, "btn_answer"), callback("qa", question_id)),
            Button(t(lang, "btn_spam"), callback("qs", question_id)),
        ),
    )


def notice(lang: str, question: Question, raised: bool = False) -> Reply:
    """A new (or, `raised`, an overdue) question for a Commissioner, with Answer and Spam buttons."""
    header = t(lang, "question_raised" if raised else "question_new", ref=question.ref)
    return Reply(question_text(lang, question, header), _handling(lang, question.id))


def inbox(lang: str, questions: list[Question]) -> list[Reply]:
    """The open questions, oldest first, each with its buttons; the oldest INBOX_PAGE of them, so a
    long backlog does not flood the chat (answering one brings the next into the list)."""
    if not questions:
        return [Reply(t(lang, "inbox_empty"))]
    shown = questions[:INBOX_PAGE]
    return [Reply(t(lang, "inbox_title", count=len(questions), shown=len(shown)))] + [notice(lang, q) for q in shown]


def answer_for_servant(lang: str, ref: str, answer: str) -> Reply:
    """The Commissioner's answer in the servant's own language's frame."""
    return Reply(t(lang, "ask_answer", ref=ref, answer=answer))


def counts_text(lang: str, rows: list[tuple[str, str | None, int, int, int]]) -> str:
    """Questions per month and department for coordinators: counts only, never texts or names."""
    if not rows:
        return t(lang, "report_questions_none")
    lines = [t(lang, "report_questions_title")]
    lines += [
        t(
            lang,
            "report_questions_line",
            month=month,
            department=department or t(lang, "question_no_department"),
            asked=asked,
            answered=answered,
            spam=spam,
        )
        for month, department, asked, answered, spam in rows
    ]
    return "\n".join(lines)


def with_unanswered(digest: Reply, lang: str, unanswered: int) -> Reply:
    """The coordinators' weekly digest with one more line: how many questions to the Commissioner
    wait beyond three working days (a count only)."""
    if not unanswered:
        return digest
    return Reply(f"{digest.text}\n\n{t(lang, 'digest_questions', count=unanswered)}", digest.buttons)
