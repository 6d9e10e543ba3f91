"""The one lazy importer, and the stray exceptions now in the one hierarchy."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from policykg import exceptions
from policykg.exceptions import LoaderError, PluginUnavailable, PolicyKGError, QueryError
from policykg.export import get_format
from policykg.export.select import SelectionTooLarge
from policykg.loaders import registry
from policykg.loaders.article.extract import ArticleError
from policykg.loaders.article.text import TextReadError
from policykg.loaders.opendata import RecordError
from policykg.loaders.registry import get_loader, register
from policykg.plugins import entry_point_targets, load_object
from policykg.queries.definitions import _parse_query


def test_load_object_imports_module_attributes_and_dotted_names() -> None:
    assert load_object("json:dumps") is json.dumps
    assert load_object("pathlib:Path.cwd") == Path.cwd


@pytest.mark.parametrize("target", ["json", "json:", ":dumps", "json:no_such_name",
                                    "no_such_module_xyz:thing"])
def test_load_object_refuses_with_one_clear_line(target: str) -> None:
    with pytest.raises(PluginUnavailable, match=repr(target).replace("'", ".")) as info:
        load_object(target)
    assert "\n" not in str(info.value)


def test_entry_point_targets_match_the_installed_metadata() -> None:
    group = "console_scripts"
    expected = {ep.name: ep.value for ep in entry_points(group=group)}
    assert entry_point_targets(group) == expected
    assert entry_point_targets("policykg.no_such_group") == {}


def test_registries_use_the_importer_and_keep_their_own_errors() -> None:
    register("broken-for-test", "no_such_module_xyz:Loader")
    try:
        with pytest.raises(exceptions.UnknownFormat, match="loader 'broken-for-test' is not"):
            get_loader("broken-for-test")
    finally:
        registry._REGISTRY.pop("broken-for-test")
    assert callable(get_format("json").writer())


def test_query_function_that_does_not_import_is_a_query_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\ntitle: Broken\nexample: policykg query broken\n"
                    "columns: [a]\npython: no_such_module_xyz:run\n", encoding="utf-8")
    query = _parse_query(path)
    from policykg.queries.run import _python_function

    with pytest.raises(QueryError, match="cannot load query function"):
        _python_function(query.python or "")


def test_a_query_without_example_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "noexample.yaml"
    path.write_text("name: q\ntitle: Q\ncolumns: [a]\npython: json:dumps\n", encoding="utf-8")
    with pytest.raises(QueryError, match="noexample.yaml: missing 'example'"):
        _parse_query(path)


def test_stray_exceptions_are_in_the_one_hierarchy_under_their_old_names() -> None:
    for cls in (ArticleError, TextReadError, RecordError):
        assert issubclass(cls, LoaderError)
    assert issubclass(SelectionTooLarge, QueryError)
    assert issubclass(TextReadError, ValueError)  # callers that catch ValueError still do
    assert issubclass(PluginUnavailable, PolicyKGError)
    # The messages are kept as raised: the loader that catches them adds file and record.
    assert str(RecordError("bad date", "date")) == "bad date"
    assert str(ArticleError("a.txt: empty file")) == "a.txt: empty file"
