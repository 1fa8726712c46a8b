"""The header of every episode screen shows the episode's row of the patient list: the same
badges, in the same order and the same words, on the assessment, plan, progress and checkpoint
screens as on /patients — red flags and the opioid dose included. And the checkpoint screen of
a patient with red flags puts them, with where to refer, before anything Painpath proposes:
the timeline engine never reads the assessment.

Over real HTTP against a served app; the clinic is built through the use cases (the engine's
worked scenarios and the example intakes, as tests/web/test_list_pages.py builds them).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.web._server import Server, seed, serve, settings_for, today
from tests.web.test_list_pages import Builder, browser_client

TABS = ("assessment", "plan", "progress", "checkpoint")

# (patient name, scenario, intake): each shows a different set of badges.
EPISODES = (
    ("Alma Prolonged", "05_flare_still_up_at_96_hours.json", "02_sciatica_cannot_sit.json"),
    ("Cal Plateau", "13_plateau_in_active_rehab.json", "02_sciatica_cannot_sit.json"),
    ("Kit Ready", "09_relief_window_grows_to_a_week.json", "02_sciatica_cannot_sit.json"),
    # PHQ-9 item 9 above 0 (an urgent safety flag) and OxyContin 20 mg twice daily (60 MME/day)
    ("Pia Safety", None, "10_failed_flaring_active_programme.json"),
)
RED_FLAG = "Ivo Redflag"  # the cauda equina intake: emergency red flags, the plan blocked


@dataclass(frozen=True)
class Clinic:
    server: Server
    episodes: dict[str, str]  # patient name → episode id


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    tmp = tmp_path_factory.mktemp("episode-header")
    settings = settings_for(f"sqlite:///{tmp / 'painpath.db'}", tmp)
    clinics = seed(settings)
    with serve(settings) as url:
        server = Server(url, settings, clinics)
        x = Builder(settings, clinics["x"].users["doc"], today())
        for name, scenario, intake_file in EPISODES:
            x.episode(name, scenario=scenario, intake_file=intake_file)
        x.episode(RED_FLAG, intake_file="08_cauda_equina.json", start_days_ago=1)
        x.close()
        yield Clinic(server, dict(x.episodes))


@pytest.fixture(scope="module")
def doc(clinic: Clinic) -> Iterator[httpx.Client]:
    with browser_client(clinic.server, "doc.x") as c:
        yield c


def badges_in(fragment: str) -> list[tuple[str, str]]:
    """(data-badge, words) of every badge in the fragment, in order."""
    return [
        (badge_id, html.unescape(words))
        for badge_id, words in re.findall(r'data-badge="([a-z_0-9]+)">([^<]*)<', fragment)
    ]


def list_row(page: str, name: str) -> str:
    return next(r for r in page.split("<tr ") if f">{name}</a>" in r).split("</tr>", 1)[0]


def header(page: str) -> str:
    return page.split('<section class="episode-header"', 1)[1].split("</section>", 1)[0]


def main(page: str) -> str:
    return page.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def test_every_episode_screen_shows_the_badges_of_the_patient_list(
    clinic: Clinic, doc: httpx.Client
) -> None:
    listed = doc.get("/patients")
    assert listed.status_code == 200
    for name, episode in clinic.episodes.items():
        expected = badges_in(list_row(listed.text, name))
        assert expected, f"{name} has no badge on the list: a weak comparison"
        for tab in TABS:
            page = doc.get(f"/episodes/{episode}/{tab}")
            assert page.status_code == 200, (name, tab)
            assert badges_in(header(page.text)) == expected, (name, tab)


def test_the_header_of_a_red_flag_patient_shows_the_red_flag_on_every_screen(
    clinic: Clinic, doc: httpx.Client
) -> None:
    episode = clinic.episodes[RED_FLAG]
    for tab in TABS:
        shown = dict(badges_in(header(doc.get(f"/episodes/{episode}/{tab}").text)))
        assert shown["red_flag"] == "Red flag: emergency", tab
        assert shown["plan_blocked"] == "Plan blocked", tab
    safety = clinic.episodes["Pia Safety"]
    shown = dict(badges_in(header(doc.get(f"/episodes/{safety}/progress").text)))
    assert (shown["red_flag"], shown["mme_50"]) == ("Red flag: urgent", "MME ≥ 50")


def test_the_checkpoint_of_a_blocked_plan_shows_its_red_flags_before_the_proposal(
    clinic: Clinic, doc: httpx.Client
) -> None:
    episode = clinic.episodes[RED_FLAG]
    page = main(doc.get(f"/episodes/{episode}/checkpoint").text)
    alert = page.split('id="red-flag-alert"', 1)[1].split("</section>", 1)[0]
    assert page.index('id="red-flag-alert"') < page.index("Painpath proposes")
    assert page.index('id="red-flag-alert"') < page.index("data-proposal=")  # still proposed
    text = html.unescape(re.sub(r"\s+", " ", alert))
    assert "Red flags: the plan is blocked" in text
    for flag in (
        "New or worsening bilateral sciatica",
        "Difficulty starting to pass urine or reduced sensation of urine flow",
        "Perianal, perineal or genital sensory loss (saddle anaesthesia)",
    ):
        assert f"<strong>{flag}</strong> (emergency). Refer: Emergency department now" in text
    assert "Painpath’s proposal does not take red flags into account" in text
    assert f'href="/episodes/{episode}/assessment"' in alert
    progress = main(doc.get(f"/episodes/{episode}/progress").text)
    assert progress.index('id="red-flag-alert"') < progress.index("Checkpoint proposal today")


def test_an_urgent_red_flag_is_shown_before_the_proposal_too(
    clinic: Clinic, doc: httpx.Client
) -> None:
    page = main(doc.get(f"/episodes/{clinic.episodes['Pia Safety']}/checkpoint").text)
    alert = page.split('id="red-flag-alert"', 1)[1].split("</section>", 1)[0]
    assert page.index('id="red-flag-alert"') < page.index("Painpath proposes")
    assert "Red flag from the assessment" in alert
    assert "(urgent). Refer: Same-day clinician suicide-risk review" in html.unescape(alert)


def test_without_red_flags_there_is_no_red_flag_alert(clinic: Clinic, doc: httpx.Client) -> None:
    for tab in ("checkpoint", "progress"):
        page = doc.get(f"/episodes/{clinic.episodes['Alma Prolonged']}/{tab}").text
        assert 'id="red-flag-alert"' not in page, tab
