"""axe-core, injected by Playwright into the page under test, for WCAG 2.2 AA checks.

axe comes from the npm registry (package.json; `make test` installs it). Without it these
checks skip, unless ESAFETY_REQUIRE_BROWSER=1 (CI), where a missing axe is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def serious_violations(page) -> list[dict]:
    """Run axe on the page as it is now; return its critical and serious findings."""
    if not AXE.exists():
        message = f"{AXE} is missing (run `npm install` in the project folder)"
        if os.environ.get("ESAFETY_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        # Only the violations are read: leaving out the passes makes axe several times quicker.
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_22_AA,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("critical", "serious")
    ]


#: Put into a page before its scripts run: records what would be spoken instead of speaking.
SPEECH_STUB = """
window.__spoken = [];
(function () {
  function Utterance(text) { this.text = text; }
  var synth = {
    speak: function (u) { window.__spoken.push(u.text); if (u.onend) { setTimeout(u.onend, 0); } },
    cancel: function () {},
    speaking: false,
  };
  Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = Utterance;
})();
"""
