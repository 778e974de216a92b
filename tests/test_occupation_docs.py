"""The occupations' ESCO documents: TF-IDF read with numpy alone, as scikit-learn weighs them."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from esco_data import ConceptKind, Taxonomy, normalize_label
from matching.linking.occupation_docs import OccupationDocs, occupation_document
from tests import esco_uris as U

TEXTS = [
    "Vous pétrissez la pâte, cuisez le pain et les viennoiseries au four.",
    "Je helpt klanten in de winkel en bedient de kassa.",
    "Accounting: ledgers, tax returns and payroll.",
    "Boulangerie boulangerie boulangerie",
    "",
    "??",
]


@pytest.fixture(scope="module")
def docs(slice_taxonomy: Taxonomy) -> OccupationDocs:
    return OccupationDocs.build(slice_taxonomy)


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_cosines_equal_scikit_learns(docs: OccupationDocs, slice_taxonomy: Taxonomy, lang: str) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    uris = [c.uri for c in slice_taxonomy.concepts(ConceptKind.occupation)]
    vectorizer = TfidfVectorizer(preprocessor=normalize_label, sublinear_tf=True, min_df=1, max_df=1.0)
    matrix = vectorizer.fit_transform([occupation_document(slice_taxonomy, u, lang) for u in uris])
    for text in TEXTS:
        expected = (matrix @ vectorizer.transform([text]).T).toarray().ravel()
        np.testing.assert_allclose(docs.similarity(text, lang, uris), expected, atol=1e-5)


def test_the_text_about_baking_is_closest_to_the_baker(docs: OccupationDocs) -> None:
    uris = [U.BAKER, U.SHOP_ASSISTANT, U.ACCOUNTANT, "http://data.europa.eu/esco/skill/not-an-occupation"]
    scores = docs.similarity(TEXTS[0], "fr", uris)
    assert int(np.argmax(scores)) == 0 and scores[3] == 0.0


def test_reading_stored_documents_imports_no_scikit_learn(docs: OccupationDocs, tmp_path: Path) -> None:
    path = tmp_path / "docs.pkl"
    path.write_bytes(pickle.dumps(docs))
    script = (
        "import pickle, sys\n"
        f"docs = pickle.loads(open({str(path)!r}, 'rb').read())\n"
        f"print(float(docs.similarity({TEXTS[0]!r}, 'fr', [{U.BAKER!r}])[0]))\n"
        "print('sklearn' in sys.modules, 'scipy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert float(out[0]) > 0
    assert out[1:] == ["False", "False"]
