"""`ewsi classify train | diff | reprocess` and crawler.store.training, on SQLite and PostgreSQL.

Items and editors' decisions are written directly into a migrated database (`db_url`).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

import classifier
from classifier.model import Model
from classifier.rules import RuleEngine
from classifier.themes import DEFAULT_PATH, load
from crawler.cli import main as ewsi
from crawler.store.schema import Item, ItemTheme, ReviewDecision, SourceRow, sha256_hex
from crawler.store.training import decided_items, means_not_relevant, reprocess_batch
from crawler.types import THEMES
from tests.desklab import SQLITE_ONLY


def main(argv: list[str]) -> int:
    """``ewsi classify ARGV`` through the command line's entry point (its exit codes)."""
    return ewsi(["classify", *argv])


SC, EC, EP = "Social Cohesion", "Education and Culture", "Economic Participation"

RELEVANT = [  # (title, text, assigned themes at harvest time)
    ("Housing for refugees in {c}", "Refugees find homes and shelter in social housing in {c}.", (SC,)),
    ("Language courses for migrants in {c}", "Migrant children learn at school in {c}.", (EC,)),
    ("Jobs for refugees in {c}", "Employment and labour market integration of refugees in {c}.", (EP,)),
]
NOT_RELEVANT = [
    ("State aid for ports in {c}", "The Commission approves a State aid scheme for ports in {c}."),
    ("Weather in {c}", "Rain and wind are expected in {c} this weekend."),
]
CITIES = ["Vienna", "Lyon", "Turin", "Porto", "Gdansk"]


def _item(session, n: int, title: str, text: str, status: str, **values) -> Item:
    item = Item(
        identity=f"test:{n}",
        identity_hash=sha256_hex(f"test:{n}"),
        source_id=values.pop("source_id", "src-a"),
        url=f"https://example.org/{n}",
        title=title,
        text=text,
        language=values.pop("language", "en"),
        status=status,
        relevance=values.pop("relevance", 0.0),
        relevant=values.pop("relevant", False),
        model_version=values.pop("model_version", "rules-old"),
        **values,
    )
    session.add(item)
    session.flush()
    return item


def _themes(session, item: Item, assigned: tuple[str, ...]) -> None:
    for theme in THEMES:
        session.add(
            ItemTheme(
                item_id=item.id,
                theme=theme,
                score=0.9 if theme in assigned else 0.05,
                assigned=theme in assigned,
            )
        )


def _decide(session, item: Item, action: str, reason: str | None = None) -> None:
    session.add(ReviewDecision(item_id=item.id, editor="anna", action=action, reason=reason))


@pytest.fixture
def queue(db_session):
    """15 approved, 10 rejected as not relevant, 2 rejected for other reasons, 3 pending items."""
    s = db_session
    s.add_all([SourceRow(id="src-a", name="A"), SourceRow(id="src-b", name="B")])
    s.flush()
    n = 0
    ids: dict[str, list[int]] = {"approved": [], "not_relevant": [], "other_reject": [], "pending": []}
    for city in CITIES:
        for title, text, themes in RELEVANT:
            n += 1
            item = _item(
                s, n, title.format(c=city), text.format(c=city), "approved", relevance=0.9, relevant=True
            )
            _themes(s, item, themes)
            _decide(s, item, "approve")
            ids["approved"].append(item.id)
        for i, (title, text) in enumerate(NOT_RELEVANT):
            n += 1
            item = _item(
                s,
                n,
                title.format(c=city),
                text.format(c=city),
                "rejected",
                source_id="src-b" if i else "src-a",
            )
            _themes(s, item, ())
            reason = ["Not relevant", "out-of-scope: EU budget", "NOT_RELEVANT", "off topic", "irrelevant"]
            _decide(s, item, "reject", reason[(n + i) % 5])
            ids["not_relevant"].append(item.id)
    # the editor's own themes win over the assigned ones
    first = s.get(Item, ids["approved"][0])
    first.editor_themes = [SC, "Active Citizenship"]
    # rejected, but not for its subject: no label
    for reason in ("duplicate of #3", None):
        n += 1
        item = _item(s, n, "Integration of refugees in schools", "Refugee pupils at school.", "rejected")
        _decide(s, item, "reject", reason)
        ids["other_reject"].append(item.id)
    # a rejection later overturned: the item is approved, so relevant
    overturned = s.get(Item, ids["approved"][1])
    _decide(s, overturned, "reject", "not relevant")
    _decide(s, overturned, "approve")
    for title, text, _ in RELEVANT:
        n += 1
        item = _item(s, n, title.format(c="Riga"), text.format(c="Riga"), "pending")
        ids["pending"].append(item.id)
    s.commit()
    return ids


def test_not_relevant_reasons():
    assert means_not_relevant("Not relevant to integration")
    assert means_not_relevant("out_of_scope")
    assert means_not_relevant("Off-topic")
    assert not means_not_relevant("duplicate")
    assert not means_not_relevant("relevant but outdated")
    assert not means_not_relevant(None)


def test_decided_items_follow_the_labelling_rule(db_session, queue):
    items = decided_items(db_session)
    by_id = {d.item_id: d for d in items}
    assert sorted(by_id) == sorted(queue["approved"] + queue["not_relevant"])
    assert sum(d.relevant for d in items) == 15
    first, second = by_id[queue["approved"][0]], by_id[queue["approved"][1]]
    assert first.themes == (SC, "Active Citizenship")  # editor_themes
    assert second.themes == (EC,) and second.relevant  # assigned theme rows; re-approved
    assert second.text == "Migrant children learn at school in Vienna."
    assert all(not by_id[i].relevant and by_id[i].themes == () for i in queue["not_relevant"])
    # one source only: src-b holds half of the not-relevant items and nothing else
    only_b = decided_items(db_session, "src-b")
    assert len(only_b) == 5 and not any(d.relevant for d in only_b)


def _run(capsys, argv: list[str]) -> tuple[int, dict]:
    code = main(argv)
    out = capsys.readouterr().out
    return code, (json.loads(out) if code == 0 and "--json" in argv else {"text": out})


@SQLITE_ONLY
def test_train_writes_the_model_that_load_default_picks_up(db_url, queue, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(classifier.MODEL_ENV, raising=False)
    # before training: the model shipped with the package
    assert classifier.default_model_path() == Path(classifier.__file__).parent / classifier.SHIPPED_MODEL_NAME
    code, out = _run(capsys, ["train", "--database", db_url, "--min-labels", "5", "--json"])
    assert code == 0
    assert out["output"] == "var/classifier-model.json"
    assert (out["examples"], out["relevant"], out["not_relevant"]) == (25, 15, 10)
    assert out["heads"]["relevance"] == {
        "positives": 15,
        "negatives": 10,
        "weight": 1.0,
        "threshold": out["heads"]["relevance"]["threshold"],
        "by_language": {"en": pytest.approx(out["heads"]["relevance"]["threshold"])},
    }
    # themes are learnt from the 15 relevant items: SC on 5 + the editor's, AC on the editor's one only
    assert out["heads"][SC]["positives"] == 5
    assert out["heads"]["Active Citizenship"] == {
        **out["heads"]["Active Citizenship"],
        "positives": 1,
        "negatives": 14,
        "weight": 0.2,
    }
    assert out["rule_thresholds"] == {"en": {"relevance": 0.5}}  # 15 relevant < 20: no theme calibration
    model = Model.load(tmp_path / "var" / "classifier-model.json")
    assert model.min_labels == 5 and model.version == out["model_version"]
    # the default model path convention
    assert classifier.default_model_path() == Path("var") / "classifier-model.json"
    clf = classifier.load_default()
    assert clf.version == f"{model.version}+{load().version}"
    assert clf.classify("Refugees find social housing", None, "en").relevant
    for configured in ("none", "NONE", "", "  "):  # the setting EWSI_CLASSIFIER_MODEL: the rules alone
        assert classifier.load_default(configured_model=configured).version == load().version
    assert classifier.default_model_path("elsewhere.json") == Path("elsewhere.json")


@SQLITE_ONLY
def test_train_needs_both_classes(db_url, db_session, capsys, tmp_path):
    db_session.add(SourceRow(id="src-a", name="A"))
    db_session.flush()
    item = _item(db_session, 1, "Housing for refugees", "Refugees find homes.", "approved")
    _decide(db_session, item, "approve")
    db_session.commit()
    output = tmp_path / "m.json"
    assert main(["train", "--database", db_url, "--output", str(output)]) == 1
    assert "found 1 relevant and 0 not relevant" in capsys.readouterr().err
    assert not output.exists()


@SQLITE_ONLY
def test_diff_shows_flips_and_before_after_figures(db_url, queue, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv(classifier.MODEL_ENV, "none")
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    changed = copy.deepcopy(data)
    # a stricter English threshold: every relevant English item flips
    changed["thresholds"]["by_language"] = {"en": {"relevance": 0.999}}
    changed_path = tmp_path / "themes.yaml"
    changed_path.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    code, out = _run(capsys, ["diff", "--database", db_url, "--themes", str(changed_path), "--json"])
    assert code == 0
    assert out["n"] == 25 and out["labels"] == {"relevant": 15, "not_relevant": 10}
    assert out["before"]["relevance"]["precision"] == 1.0 and out["before"]["relevance"]["recall"] == 1.0
    assert out["after"]["relevance"]["recall"] == 0.0
    assert out["summary"]["relevance_flips"] == 15
    assert out["summary"]["relevance_broken"] == 15 and out["summary"]["relevance_fixed"] == 0
    assert out["summary"]["became_not_relevant"] == 15
    change = next(c for c in out["changes"] if c["id"] == str(queue["approved"][2]))
    assert change["relevant_before"] and not change["relevant_after"]
    assert change["themes_lost"] == [EP] and change["themes_broken"] == 1
    # the same file as before: nothing changes
    code, same = _run(capsys, ["diff", "--database", db_url, "--json"])
    assert same["changes"] == [] and same["before"] == same["after"]
    # the text report
    code, text = _run(capsys, ["diff", "--database", db_url, "--themes", str(changed_path), "--limit", "1"])
    assert "15 relevance flips (0 to relevant, 15 to not relevant; 0 fixed, 15 broken)" in text["text"]
    assert "relevance recall          1.000    0.000" in text["text"]


@SQLITE_ONLY
def test_reprocess_updates_pending_items_and_keeps_editors_themes(
    db_url, queue, capsys, db_session, monkeypatch
):
    monkeypatch.setenv(classifier.MODEL_ENV, "none")
    version = load().version
    code, dry = _run(capsys, ["reprocess", "--database", db_url, "--dry-run", "--json"])
    assert code == 0
    assert (dry["examined"], dry["changed"], dry["became_relevant"]) == (3, 3, 3)
    assert dry["by_status"] == {"pending": 3}
    db_session.rollback()  # ends the read snapshot: see what the command committed
    pending = [db_session.get(Item, i) for i in queue["pending"]]
    assert all(p.model_version == "rules-old" and not p.relevant for p in pending)  # dry run wrote nothing

    code, done = _run(capsys, ["reprocess", "--database", db_url, "--json", "--batch", "2"])
    assert {k: done[k] for k in ("examined", "changed", "became_relevant", "themes_changed")} == {
        "examined": 3,
        "changed": 3,
        "became_relevant": 3,
        "themes_changed": 3,
    }
    db_session.rollback()  # ends the read snapshot: see what the command committed
    engine = RuleEngine(load())
    for item_id in queue["pending"]:
        item = db_session.get(Item, item_id)
        expected = engine.classify(item.title, item.text, "en")
        assert item.relevant and item.model_version == version
        assert item.relevance == pytest.approx(expected.relevance)
        rows = db_session.scalars(select(ItemTheme).where(ItemTheme.item_id == item_id)).all()
        assert len(rows) == 6
        assert {r.theme for r in rows if r.assigned} == set(expected.assigned)
    # a second run finds nothing to change
    code, again = _run(capsys, ["reprocess", "--database", db_url, "--json"])
    assert (again["examined"], again["changed"]) == (3, 0)

    # approved items of one source: new scores and version, the editors' themes stay assigned
    code, approved = _run(
        capsys, ["reprocess", "--database", db_url, "--json", "--status", "approved", "--source", "src-a"]
    )
    assert approved["examined"] == 15 and approved["themes_changed"] == 0
    assert approved["version_changed"] == 15
    db_session.rollback()  # ends the read snapshot: see what the command committed
    first = queue["approved"][2]
    assigned = db_session.scalars(
        select(ItemTheme.theme).where(ItemTheme.item_id == first, ItemTheme.assigned.is_(True))
    ).all()
    assert assigned == [EP]
    assert db_session.get(Item, first).model_version == version
    assert main(["reprocess", "--database", db_url, "--status", "bogus"]) == 2


def test_reprocess_batch_pages_by_id(db_session, queue):
    engine = RuleEngine(load())
    last, counts = reprocess_batch(db_session, engine.classify, limit=2, statuses=None, dry_run=True)
    assert counts.examined == 2 and last == sorted(queue["approved"] + queue["not_relevant"])[1]
    last, counts = reprocess_batch(db_session, engine.classify, after_id=10**9, statuses=None)
    assert last is None and counts.examined == 0


def test_unmigrated_database_is_reported(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    assert main(["train", "--database", url]) == 2
    assert "not migrated" in capsys.readouterr().err


@SQLITE_ONLY
def test_train_adds_labelled_files_and_reports_how_the_evaluation_moved(db_url, queue, capsys, tmp_path):
    extra = Path(__file__).parent / "data" / "labelled_extra.jsonl"
    argv = ["train", "--database", db_url, "--data", str(extra), "--output", str(tmp_path / "m.json")]
    code, out = _run(capsys, [*argv, "--json"])
    assert code == 0
    assert (out["examples"], out["relevant"]) == (25 + 4, 15 + 2)
    assert out["languages"]["de"] == 2 and out["languages"]["fr"] == 2
    moved = out["evaluation"]
    assert moved["held_out"] > 0
    for key, value in moved["after"].items():
        assert moved["delta"][key] == pytest.approx(value - moved["before"][key], abs=1e-4)
    code, out = _run(capsys, argv)
    assert code == 0 and "evaluation on a held-out fifth" in out["text"]


@pytest.mark.parametrize("content", ["not json\n", "[1, 2]\n"])
@SQLITE_ONLY
def test_train_refuses_a_bad_labelled_file(db_url, queue, capsys, tmp_path, content):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    code = main(["train", "--database", db_url, "--data", str(bad), "--output", str(tmp_path / "m.json")])
    assert code == 2
    assert "bad.jsonl" in capsys.readouterr().err
    assert not (tmp_path / "m.json").exists()


def _harvest_classifier_version(configured: str | None) -> str:
    """The version of the classifier the harvest's classify stage builds with EWSI_CLASSIFIER_MODEL
    `configured` (None: unset), as crawler.settings hands it to the pipeline."""
    from types import SimpleNamespace

    from scrapy.settings import Settings as ScrapySettings

    from pipelines.classify import ClassifyPipeline

    crawler = SimpleNamespace(settings=ScrapySettings({"EWSI_CLASSIFIER_MODEL": configured}), stats=None)
    return ClassifyPipeline(crawler).classifier.version  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def own_model() -> Model:
    """A small model trained here (its version differs from the shipped model's)."""
    from classifier.model import LabelledExample, train

    examples = [
        LabelledExample("", f"Refugees get free language courses {i}", "en", True, ("Social Cohesion",))
        for i in range(8)
    ] + [LabelledExample("", f"The budget {i} is adopted.", "en", False) for i in range(8)]
    return train(examples, RuleEngine(load(DEFAULT_PATH)), min_labels=2)


@pytest.mark.parametrize("case", ["shipped", "trained", "configured-none", "configured-file"])
def test_eval_scores_the_model_the_harvest_uses(case, own_model, tmp_path, monkeypatch, capsys):
    """Without --model, `ewsi classify eval` scores the classifier the harvest's classify stage
    builds (same model resolution), names its file, and --model none scores the rules alone."""
    own = own_model
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(classifier.MODEL_ENV, raising=False)
    configured = None
    if case == "trained":
        (tmp_path / "var").mkdir()
        own.save(tmp_path / "var" / "classifier-model.json")
    elif case == "configured-none":
        configured = "none"
    elif case == "configured-file":
        own.save(tmp_path / "own.json")
        configured = str(tmp_path / "own.json")
    if configured is not None:
        monkeypatch.setenv(classifier.MODEL_ENV, configured)
    data = tmp_path / "d.jsonl"
    row = {"id": "x", "lang": "en", "title": "Refugee housing", "summary": "", "relevant": True}
    data.write_text(json.dumps({**row, "themes": ["Social Cohesion"]}) + "\n", encoding="utf-8")

    assert ewsi(["classify", "eval", "--data", str(data), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    harvest = _harvest_classifier_version(configured)
    assert out["model_version"] == harvest
    expected_file = {
        "shipped": str(Path(classifier.__file__).resolve().parent / classifier.SHIPPED_MODEL_NAME),
        "trained": str(Path("var") / "classifier-model.json"),
        "configured-none": None,
        "configured-file": configured,
    }[case]
    assert out["model_file"] == expected_file
    assert ("+" in harvest) == (case != "configured-none")  # rules + a model, or the rules alone
    if case in ("trained", "configured-file"):
        assert harvest.startswith(own.version + "+")
    assert ewsi(["classify", "eval", "--data", str(data)]) == 0
    assert f"model file {expected_file or 'none (rules alone)'}" in capsys.readouterr().out
    if case == "trained":
        assert ewsi(["classify", "eval", "--data", str(data), "--model", "none", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["model_file"] is None


@SQLITE_ONLY
def test_train_says_when_its_model_replaces_the_shipped_one(db_url, queue, capsys, tmp_path, monkeypatch):
    """A model of 25 decisions written to the default file replaces the shipped one (hundreds of
    labelled items) in every classification: the command says so, with both counts; a model written
    elsewhere replaces nothing and says nothing."""
    from classifier.model import RELEVANCE

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(classifier.MODEL_ENV, raising=False)
    head = Model.load(Path(classifier.__file__).parent / classifier.SHIPPED_MODEL_NAME).heads[RELEVANCE]
    shipped = head.positives + head.negatives
    assert shipped > 300
    assert main(["train", "--database", db_url, "--min-labels", "5", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["replaces_shipped"] == shipped
    assert f"shipped model (trained on {shipped} labelled items)" in captured.err
    assert "was trained on 25" in captured.err and "--data" in captured.err
    other = tmp_path / "other.json"
    assert main(["train", "--database", db_url, "--output", str(other), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["replaces_shipped"] is None
    assert "shipped model" not in captured.err
