"""``waystation``'s help and usage errors speak the reader's language: Vietnamese by default,
``--lang en`` or WAYSTATION_DEFAULT_LANGUAGE=en for English."""

from __future__ import annotations

import argparse

import pytest

from stations.cli.argparse_language import argparse_speaking, language_from_argv
from stations.main import main

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _no_configured_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WAYSTATION_DEFAULT_LANGUAGE", raising=False)


def _exit_code_and_output(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    captured = capsys.readouterr()
    return int(caught.value.code or 0), captured.out + captured.err


def test_help_is_vietnamese_by_default(capsys):
    code, output = _exit_code_and_output(["--help"], capsys)

    assert code == 0
    lines = output.splitlines()
    assert lines[0].startswith("cách dùng: waystation [-h]")
    assert "tùy chọn:" in lines
    assert "  -h, --help           hiện hướng dẫn này rồi thoát" in lines
    assert "    holidays           ngày Tết và các đợt cao điểm lễ, Tết của từng năm" in lines
    assert "usage" not in output and "options:" not in output


def test_help_in_english_with_lang_en(capsys):
    code, output = _exit_code_and_output(["--lang", "en", "--help"], capsys)

    assert code == 0
    lines = output.splitlines()
    assert lines[0].startswith("usage: waystation [-h]")
    assert "options:" in lines
    assert "    holidays           Tết and the holiday windows of years" in lines


def test_help_follows_the_configured_default_language(capsys, monkeypatch):
    monkeypatch.setenv("WAYSTATION_DEFAULT_LANGUAGE", "en")

    code, output = _exit_code_and_output(["holidays", "--help"], capsys)

    assert code == 0
    assert output.startswith("usage: waystation holidays")
    assert "  --json          print JSON" in output.splitlines()


def test_lang_option_wins_over_the_configured_default(capsys, monkeypatch):
    monkeypatch.setenv("WAYSTATION_DEFAULT_LANGUAGE", "en")

    code, output = _exit_code_and_output(["holidays", "--help", "--lang", "vi"], capsys)

    assert code == 0
    assert output.startswith("cách dùng: waystation holidays")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["fly"],
            "waystation: lỗi: tham số LỆNH: lựa chọn không hợp lệ: 'fly' (chọn một trong: "
            "'serve', 'migrate', 'demo', 'create-user', 'sign-out-everywhere', "
            "'api-token', 'holidays', 'report', 'backup', 'restore', 'scheduler') (xem waystation --help)\n",
        ),
        (
            ["holidays"],
            "waystation holidays: lỗi: còn thiếu tham số bắt buộc: NĂM "
            "(xem waystation holidays --help)\n",
        ),
        (
            ["holidays", "abc"],
            "waystation holidays: lỗi: tham số NĂM: 'abc' không phải là năm "
            "(xem waystation holidays --help)\n",
        ),
        (
            ["holidays", "2027", "--colour"],
            "waystation: lỗi: không hiểu tham số: --colour (xem waystation --help)\n",
        ),
        (
            ["serve", "--port", "eighty"],
            "waystation serve: lỗi: tham số --port: 'eighty' không phải là số cổng "
            "(xem waystation serve --help)\n",
        ),
        (
            ["serve", "--port", "70000"],
            "waystation serve: lỗi: tham số --port: cổng 70000 không nằm trong khoảng từ 1 "
            "đến 65535 (xem waystation serve --help)\n",
        ),
        (
            ["demo", "--scale", "2"],
            "waystation demo: lỗi: tham số --scale: tỉ lệ phải lớn hơn 0 và không quá 1 "
            "(xem waystation demo --help)\n",
        ),
        (
            ["demo", "--seed", "x"],
            "waystation demo: lỗi: tham số --seed: giá trị int không hợp lệ: 'x' "
            "(xem waystation demo --help)\n",
        ),
        (
            ["create-user", "a@b.vn", "--role", "boss"],
            "waystation create-user: lỗi: tham số --role: lựa chọn không hợp lệ: 'boss' "
            "(chọn một trong: 'admin', 'coordinator', 'viewer') "
            "(xem waystation create-user --help)\n",
        ),
        (
            ["--lang", "en", "holidays"],
            "waystation holidays: error: the following arguments are required: YEAR "
            "(see waystation holidays --help)\n",
        ),
    ],
)
def test_usage_errors_are_one_translated_line_exit_2(argv, message, capsys):
    code, output = _exit_code_and_output(argv, capsys)

    assert (code, output) == (2, message)


def test_argparse_speaks_english_again_after_a_vietnamese_parse(capsys):
    _exit_code_and_output(["--help"], capsys)

    plain = argparse.ArgumentParser(prog="other")

    assert plain.format_usage() == "usage: other [-h]\n"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "vi"),
        (["--lang", "en"], "en"),
        (["--lang=en", "holidays"], "en"),
        (["--lang", "en", "holidays", "--lang", "vi"], "vi"),
        (["--lang", "fr"], "vi"),
        (["--lang"], "vi"),
        (["report", "--", "--lang", "en"], "vi"),
    ],
)
def test_language_from_argv_takes_the_last_valid_lang(argv, expected):
    assert language_from_argv(argv, "vi") == expected


def test_argparse_speaking_restores_argparse_when_parsing_fails():
    parser_language = "vi"
    with pytest.raises(SystemExit), argparse_speaking(parser_language):
        argparse.ArgumentParser(prog="x", exit_on_error=True).parse_args(["--nope"])

    assert argparse.ArgumentParser(prog="x").format_usage() == "usage: x [-h]\n"
