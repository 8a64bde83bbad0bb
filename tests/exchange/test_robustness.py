"""Whatever arrives, the reader either reads it (with oddities whose messages render and a
description that is valid JSON) or refuses it with UnreadablePackage: never another exception."""

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.exchange.test_hostile import EDOC, STATUS
from tests.exchange.test_interop import INTEROP
from vanphong.exchange.edxml import describe, model, reader
from vanphong.exchange.edxml.limits import Limits
from vanphong.exchange.edxml.oddities import UnreadablePackage

_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_LIMITS = Limits(max_attachment_bytes=4000)
_NAMES = sorted(set(re.findall(r"<(?:edXML:)?(\w+)[ >]", EDOC + STATUS)) | {"ReplacementInfoList", "ReplacementInfo",
                                                                             "ToOrganIdentifierList", "OrganIdentifier"})
_LEAVES = st.one_of(st.sampled_from(["", " ", "0", "1", "7", "-3", "true", "2019/04/11", "2019/02/30", "2019-04-11",
                                     "2019/04/11 08:00:00", "000.00.00.G22", "000.00.00.G22,2019/04/11,1/X", "cid:1",
                                     "UEsDBBQ=", "***", "09"]),
                    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
                            max_size=12))


def _check(data: bytes) -> None:
    try:
        result = reader.read(data, limits=_LIMITS)
    except UnreadablePackage as exc:
        assert exc.messages and all(exc.messages)
        return
    assert isinstance(result.package, (model.Edoc, model.Status))
    assert result.package.from_.organ_id
    for oddity in result.oddities:
        assert oddity.message and oddity.severity in ("warning", "error")
    json.dumps(describe.describe(result), ensure_ascii=False)


@_SETTINGS
@given(st.binary(max_size=400))
def test_any_bytes(data):
    _check(data)


@_SETTINGS
@given(st.sampled_from([EDOC, STATUS]), st.data())
def test_a_sample_with_a_piece_cut_out(sample, data):
    start = data.draw(st.integers(0, len(sample)))
    end = data.draw(st.integers(start, min(len(sample), start + 400)))
    _check((sample[:start] + sample[end:]).encode("utf-8"))


@_SETTINGS
@given(st.sampled_from([EDOC, STATUS]), st.data())
def test_a_sample_with_values_replaced(sample, data):
    root = etree.fromstring(sample.encode("utf-8"))
    leaves = [e for e in root.iter() if isinstance(e.tag, str) and len(e) == 0]
    for _ in range(data.draw(st.integers(1, 6))):
        leaf = data.draw(st.sampled_from(leaves))
        leaf.text = data.draw(_LEAVES)
    _check(etree.tostring(root))


def _grammar() -> dict[str, list[str]]:
    """Which elements hold which, as in the samples (and for ReplacementInfoList, as the writer puts it)."""
    children: dict[str, set[str]] = {}
    for sample in (EDOC, STATUS, (INTEROP / "edoc_update_with_attachment.edxml").read_text(encoding="utf-8")):
        for element in etree.fromstring(sample.encode("utf-8")).iter():
            for child in element:
                children.setdefault(etree.QName(element).localname, set()).add(etree.QName(child).localname)
    children["Bussiness"] |= {"ReplacementInfoList", "ReceiverList"}
    children.update(ReplacementInfoList={"ReplacementInfo"}, ReplacementInfo={"DocumentId", "ToOrganIdentifierList"},
                    ToOrganIdentifierList={"OrganIdentifier"})
    return {parent: sorted(names) for parent, names in children.items()}


GRAMMAR = _grammar()


@st.composite
def _contents(draw, parent: str, depth: int = 0):
    """Children for `parent`: mostly what the samples put there, sometimes anything, with random values."""
    nodes = []
    for _ in range(draw(st.integers(0, 4 if depth < 3 else 1))):
        expected = GRAMMAR.get(parent)
        name = draw(st.sampled_from(expected) if expected and draw(st.integers(0, 9)) else st.sampled_from(_NAMES))
        kids = draw(_contents(name, depth + 1)) if name in GRAMMAR and depth < 4 else []
        nodes.append((name, draw(_LEAVES), kids))
    return nodes


def _build(parent, node) -> None:
    name, text, kids = node
    child = etree.SubElement(parent, f"{{{model.NAMESPACE}}}{name}")
    child.text = None if kids else text
    for kid in kids:
        _build(child, kid)


@_SETTINGS
@given(st.booleans(), _contents("MessageHeader"), _contents("edXMLHeader"), _contents("edXMLEnvelope"), _contents("edXML"))
def test_random_trees_of_edxml_elements(status, in_message, in_header, in_envelope, in_root):
    """A sender, a recipient and a DocumentId (or a StatusCode) first, so that the reader goes past
    the checks that refuse a package, then random elements at every level."""
    def add(parent, name, text=None):
        child = etree.SubElement(parent, f"{{{model.NAMESPACE}}}{name}")
        child.text = text
        return child

    root = etree.Element(f"{{{model.NAMESPACE}}}edXML")
    envelope = add(root, "edXMLEnvelope")
    header = add(envelope, "edXMLHeader")
    message = add(header, "MessageHeader")
    add(add(message, "From"), "OrganId", "000.00.00.G22")
    if status:
        add(message, "StatusCode", "03")
        add(add(message, "ResponseFor"), "DocumentId", "000.00.00.H41,2019/04/11,1/X")
    else:
        add(add(message, "To"), "OrganId", "000.00.00.H41")
        add(message, "DocumentId", "000.00.00.G22,2019/04/11,1/X")
    for parent, trees in ((message, in_message), (header, in_header), (envelope, in_envelope), (root, in_root)):
        for tree in trees:
            _build(parent, tree)
    _check(etree.tostring(root))
