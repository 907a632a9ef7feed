"""The region facet is a tree: with a town selected, its sibling towns are listed under their
own county and city, and clicking an ancestor widens the selection to it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fixtures_search import make_report
from fixtures_web import parse_html
from indexer import Level


def _app(index_reports):
    from webui import create_app

    towns = [("塘桥镇", "张家港市"), ("凤凰镇", "张家港市"), ("木渎镇", "吴中区")]
    settings = index_reports(*(
        make_report(f"r{i}", [f"{town}推进行政复议工作。"], province="江苏省", city="苏州市",
                    county=county, town=town, level=Level.TOWN, report_year=2023)
        for i, (town, county) in enumerate(towns)))
    return create_app({"SETTINGS": settings, "TESTING": True}).test_client()


def _links(doc):
    return {a.get("data-value"): a for a in doc.cssselect("a.facet-value")}


def test_sibling_towns_sit_under_their_own_county(index_reports) -> None:
    client = _app(index_reports)
    doc = parse_html(client.get("/?q=行政复议&town=塘桥镇").data)
    links = _links(doc)
    assert {"江苏省", "苏州市", "张家港市", "塘桥镇", "凤凰镇", "吴中区"} <= set(links)

    def ancestors(value):
        out, node = [], links[value].getparent()  # the <li>
        while node is not None:
            if node.tag == "li":
                a = node.cssselect("a.facet-value")[0]
                out.append(a.get("data-value"))
            node = node.getparent()
        return out

    assert ancestors("凤凰镇") == ["凤凰镇", "张家港市", "苏州市", "江苏省"]
    assert ancestors("吴中区") == ["吴中区", "苏州市", "江苏省"]
    roots = doc.cssselect(".facet-list:not(.facet-list--nested) > li > a.facet-value[data-facet]")
    assert {a.get("data-value") for a in roots if a.get("data-facet") in
            {"province", "city", "county", "town"}} == {"江苏省"}


def test_clicking_an_ancestor_widens_the_selection(index_reports) -> None:
    client = _app(index_reports)
    doc = parse_html(client.get("/?q=行政复议&town=塘桥镇").data)
    href = _links(doc)["张家港市"].get("href")
    params = parse_qs(urlsplit(href).query)
    assert params.get("county") == ["张家港市"] and "town" not in params
    wider = client.get(href).data.decode("utf-8")
    assert "凤凰镇推进" in wider and "塘桥镇推进" in wider and "木渎镇推进" not in wider
