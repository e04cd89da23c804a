"""A prompt that is slow to scan cannot push other users' checks past their deadline (issue #10)."""
import threading
import time

from moderation import Moderator
from moderation.lexicon import Lexicon


class SlowOnSomePrompts(Lexicon):
    """The real lexicon, except that prompts containing 'slowprompt' take 3 s to scan."""

    @classmethod
    def wrap(cls, lexicon: Lexicon) -> "SlowOnSomePrompts":
        obj = cls.__new__(cls)
        obj.__dict__.update(lexicon.__dict__)
        return obj

    def scan(self, norm):
        if "slowprompt" in norm.text:
            time.sleep(3)
        return super().scan(norm)


def test_slow_prompts_from_one_user_leave_other_users_checks_on_time(rules_only):
    mod = Moderator(rules_only.policy, SlowOnSomePrompts.wrap(rules_only.lexicon), None, None,
                    deadline_s=0.5, learned_expected=False)
    try:
        # More slow prompts at once than the runner has pooled workers; each misses its deadline.
        slow = [threading.Thread(target=lambda: results.append(mod.check_text("slowprompt please")))
                for _ in range(8)]
        results: list = []
        for t in slow:
            t.start()
        time.sleep(0.1)  # they are all scanning now
        start = time.monotonic()
        other = mod.check_text("a watercolor painting of a fox in the snow")
        assert other.action == "allow" and not other.fail_closed, other.to_dict()
        assert time.monotonic() - start < 0.5
        for t in slow:
            t.join()
        assert len(results) == 8 and all(d.fail_closed and d.action == "block" for d in results)
    finally:
        mod.close()
