"""The trained intent model: deterministic, shipped equal to a fresh training, explainable."""

from __future__ import annotations

from opkraevning.app.train_intents import MODEL_PATH, main
from opkraevning.assistant.read.intent_model import FeatureParams, features, shipped_model
from opkraevning.assistant.read.intents import classify_intent
from opkraevning.assistant.read.training import TrainParams, train


def test_the_shipped_model_equals_a_fresh_training() -> None:
    assert MODEL_PATH.exists()
    assert main(["--check"]) == 0


def test_training_is_deterministic_and_learns() -> None:
    params = FeatureParams()
    texts = [
        ("Kan jeg betale 300 kr om måneden?", "installment_request"),
        ("Kan jeg dele beløbet op i rater?", "installment_request"),
        ("Jeg har betalt regningen i går.", "payment_notice"),
        ("Regningen blev betalt i fredags.", "payment_notice"),
    ]
    data = [(features(text, "", {}, params), intent) for text, intent in texts] * 3
    classes = ["installment_request", "payment_notice"]
    first = train(data, classes, TrainParams(epochs=5), params)
    second = train(data, classes, TrainParams(epochs=5), params)
    assert first.to_json() == second.to_json()
    probe = features("Jeg har betalt", "", {}, params)
    probs = first.probabilities(probe)
    assert probs[classes.index("payment_notice")] > 0.5


def test_a_decision_names_its_features_with_weights() -> None:
    assert shipped_model() is not None
    result = classify_intent("Hej. Kan det vente til efter jul med at betale? Mvh Per")
    assert result.intent == "deferral_request"
    assert result.probability is not None and 0 < result.probability <= 1
    assert result.features and all(item["weight"] > 0 for item in result.features)  # type: ignore[operator]
    names = [str(item["feature"]) for item in result.features]
    assert any(name.startswith(("w:", "b:", "c:", "cue:", "s:")) for name in names)


def test_ordinary_danish_the_old_cue_table_missed() -> None:
    cases = {
        "Jeg overførte pengene i sidste uge.": "payment_notice",
        "Er det muligt at betale lidt senere?": "deferral_request",
        "Hvad står jeg i hos jer?": "balance_request",
        "Vi har aldrig haft en hund, så hvorfor skal vi betale hundeafgift?": "dispute",
    }
    for text, intent in cases.items():
        assert classify_intent(text).intent == intent, text
