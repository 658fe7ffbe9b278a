"""The player's range arithmetic (static_src/js/player/ranges.js) and session ids, run in Chromium."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_range_arithmetic_and_session_ids(page, live_server):
    page.goto(live_server.url + "/accounts/login/")
    result = page.evaluate(
        """async () => {
            const r = await import('/static/js/player/ranges.js')
            const p = await import('/static/js/player/progress.js')
            const ids = Array.from({length: 200}, () => p.newSessionId())
            return {
                merged: r.mergeRanges([[5, 8], [0, 2], [1, 3], [8, 9], [NaN, 4], [7, 7]]),
                rest: r.subtractRanges([[0, 10], [20, 30]], [[2, 4], [9, 21], [29.99, 40]]),
                none: r.subtractRanges([[0, 10]], [[0, 10]]),
                clipped: r.clipRanges([[-1, 2.00049], [9, 12], [12, 13]], 10.5),
                idsValid: ids.every(id => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)),
                idsUnique: new Set(ids).size === ids.length,
            }
        }"""
    )
    assert result["merged"] == [[0, 3], [5, 9]]
    assert result["rest"] == [[0, 2], [4, 9], [21, 29.99]]
    assert result["none"] == []
    assert result["clipped"] == [[0, 2], [9, 10.5]]
    assert result["idsValid"] and result["idsUnique"]
