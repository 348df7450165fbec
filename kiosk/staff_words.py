"""Job states as the staff page says them, in both languages (staff read "Ready for review",
never `ready_for_review`). A printed job whose PDF only went to the hot folder reads
"Sent to hot folder" (jobs/staff.py shown_states): "printed" means a printer took it."""
from __future__ import annotations

from jobs.staff import SENT_TO_HOT_FOLDER
from jobs.store import (ABANDONED, APPROVED, AWAITING_CHOICE, BUILDING, CANCELLED, FAILED,
                        GENERATING, PRINTED, QUEUED, READY, REJECTED, SUBMITTED)

STATE_WORDS: dict[str, tuple[str, str]] = {
    QUEUED: ("排队中", "Queued"),
    GENERATING: ("生成中", "Generating"),
    AWAITING_CHOICE: ("等访客选图", "Waiting for visitor"),
    SUBMITTED: ("等待制版", "Waiting to build"),
    BUILDING: ("制版中", "Building"),
    READY: ("待审核", "Ready for review"),
    APPROVED: ("已批准", "Approved"),
    PRINTED: ("已打印", "Printed"),
    SENT_TO_HOT_FOLDER: ("已送热文件夹", "Sent to hot folder"),
    REJECTED: ("已拒绝", "Rejected"),
    FAILED: ("失败", "Failed"),
    CANCELLED: ("已取消", "Cancelled"),
    ABANDONED: ("访客已离开", "Left by visitor"),
}
# The state filter picks stored states: a printed job is either of the two words above.
FILTER_WORDS = {**STATE_WORDS, PRINTED: ("已打印或已送出", "Printed or sent")}


def state_words(state: str, table: dict[str, tuple[str, str]] = STATE_WORDS) -> str:
    """"待审核 · Ready for review"; an unknown state as it is (never hidden)."""
    zh, en = table.get(state, (state, state))
    return f"{zh} · {en}"


def filter_words(state: str) -> str:
    return state_words(state, FILTER_WORDS)
