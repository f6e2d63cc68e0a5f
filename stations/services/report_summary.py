"""The campaign in one paragraph, as a provincial police report writes it.

"Trong dịp Tết Nguyên đán Bính Ngọ 2026 (từ ngày 10/02 đến ngày 22/02/2026), 11/12 đơn vị đã
tổ chức 26 điểm "Trạm dừng chân nghĩa tình", huy động 3.968 lượt cán bộ, chiến sĩ, đoàn viên,
hội viên và Nhân dân tham gia với 15.301 giờ trực; cấp …; phối hợp với Trung tâm Head Honda …
kiểm tra an toàn kỹ thuật cho 470 xe mô tô; …" — then the money, each a sentence of its own:
what was mobilised ("huy động … đồng"), spent and left.

- **The occasion** is the holiday's own name, from the campaign's kind: "dịp Tết Nguyên đán
  Bính Ngọ 2026", "dịp Lễ 30/4 và 01/5/2027"; a custom campaign is named exactly as it was
  named ("Chiến dịch hè 2027"), never cut or rearranged.
- **Units** are "x/y đơn vị": the reporting units that ran a station out of all of them
  (``report_units``).
- **The people** are named by the forces that served ("cán bộ, chiến sĩ" for the police,
  "đoàn viên", "hội viên", "Nhân dân"); when no force is recorded, the report's whole phrase.
- **Partners** are named in the clause of the services they gave: the motorbike checks name
  the partners that did them.
- A figure that is zero is left out with its words, never written as "0 lít xăng". Hours of
  ten or more are written whole ("15.301 giờ trực"), smaller ones keep their tenth.

The tense follows the campaign's stage on the day the report was generated (Vietnam time):
before its first day it *plans* its stations; from its first to its last day it *is running*
them and what it has done is counted "so far"; after its last day, or once closed, it *ran*
them. The stage is read from the report, not from the clock, so a saved report keeps the
paragraph of the moment its figures were taken.

Every fragment is an English msgid (plural pairs through ``N_``) whose Vietnamese is in
``locale/vi/LC_MESSAGES/reports.po`` and ``campaign_funds.po``, so both languages are built
by the same code and cannot drift apart. Only list joining lives in code: "a, b và c" /
"a, b and c".
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from stations.calendar import canchi_year_name
from stations.clock import VN_TZ
from stations.enums import CampaignKind, CampaignStatus, Force, Language, ServiceKind
from stations.formatting import format_number
from stations.i18n import N_, _, ngettext, normalize_language, translate
from stations.services.queries.reports import CampaignReport
from stations.services.satisfaction_summary import satisfaction_sentence

STATIONS = N_(
    '{count} "Trạm dừng chân nghĩa tình" rest station',
    '{count} "Trạm dừng chân nghĩa tình" rest stations',
)
TURNS_OF = N_("{count} turn of {forces}", "{count} turns of {forces}")
HOURS_ON_DUTY = N_("{count} hour on duty", "{count} hours on duty")
WATER_BOTTLES = N_("{count} bottle of water", "{count} bottles of water")
COLD_TOWELS = N_("{count} cold towel", "{count} cold towels")
FOOD_ITEMS = N_("{count} food item", "{count} food items")
FUEL_LITRES = N_("{count} litre of fuel", "{count} litres of fuel")
MOTORBIKES = N_("{count} motorbike", "{count} motorbikes")
VEHICLES = N_("{count} vehicle", "{count} vehicles")
LEAFLETS = N_("{count} leaflet", "{count} leaflets")
BROADCAST_HOURS = N_("{count} hour", "{count} hours")
PEOPLE = N_("{count} person", "{count} people")

OCCASION_TET = _("the {canchi} {year} Lunar New Year holiday")
OCCASION_REUNIFICATION = _("the 30 April and 1 May {year} holidays")
PERIOD_RANGE = _("from {start} to {end}, both days included")
PERIOD_ONE_DAY = _("on {day}")

OPENING_PLANNED = _("For {occasion} ({period}), {taking}/{total} units plan {stations}")
OPENING_RUNNING = _("During {occasion} ({period}), {taking}/{total} units are running {stations}")
OPENING_ENDED = _("During {occasion} ({period}), {taking}/{total} units ran {stations}")
NO_STATIONS = _("No rest station has been opened yet for {occasion} ({period})")
NO_STATIONS_ENDED = _("No rest station was opened during {occasion} ({period})")

FORCE_WORDS: dict[Force, str] = {
    Force.POLICE: _("police officers"),
    Force.YOUTH_UNION: _("youth union members"),
    Force.WOMENS_UNION: _("women's union members"),
    Force.PEOPLE: _("local people"),
}
#: The report's own phrase, for turns whose force is not recorded.
ALL_FORCES = _("police officers, union members and local people")

# After an ended campaign's opening ("ran 26 rest stations, mobilising …").
PEOPLE_WITH_HOURS = _("mobilising {turns} for {hours}")
PEOPLE_ONLY = _("mobilising {turns}")
# The first of the results so far ("so far it has mobilised …").
PEOPLE_WITH_HOURS_SO_FAR = _("mobilised {turns} for {hours}")
PEOPLE_ONLY_SO_FAR = _("mobilised {turns}")
HANDED_OUT = _("handed out {items}")
MOTORBIKES_CHECKED = _("carried out technical safety checks on {motorbikes}")
MOTORBIKES_CHECKED_WITH = _(
    "worked with {partners} to carry out technical safety checks on {motorbikes}"
)
LEAFLETS_DISTRIBUTED = _("distributed {leaflets}")
BROADCAST = _("broadcast {hours} of road traffic safety law messages by loudspeaker")
FIRST_AID = _("provided first aid to {people}")
DIRECTIONS = _("gave directions to {people}")
REPAIRS = _("repaired {vehicles} by the roadside")
RESULTS_SO_FAR = _("{opening}; so far it has {results}")
NOTHING_RECORDED = _("no results have been recorded yet")
NOTHING_RECORDED_SO_FAR = _("no results have been recorded so far")

MOBILISED = _("Funds mobilised: {amount} VND ({cash} VND in cash, {in_kind} VND in kind).")
MOBILISED_SO_FAR = _(
    "Funds mobilised so far: {amount} VND ({cash} VND in cash, {in_kind} VND in kind)."
)
BUDGET_SPENT = _("With a budget of {budget} VND, {spent} VND was spent and {balance} VND is left.")
BUDGET_OVERSPENT = _(
    "With a budget of {budget} VND, {spent} VND was spent: {over} VND more than the funds."
)
SPENT = _("{spent} VND was spent and {balance} VND is left.")
OVERSPENT = _("{spent} VND was spent: {over} VND more than the funds.")
COST = _("Total cost: {cost} VND.")
COST_SO_FAR = _("Total cost so far: {cost} VND.")


class CampaignStage(StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    ENDED = "ended"


_OPENINGS = {
    CampaignStage.PLANNED: OPENING_PLANNED,
    CampaignStage.RUNNING: OPENING_RUNNING,
    CampaignStage.ENDED: OPENING_ENDED,
}


def campaign_stage(report: CampaignReport) -> CampaignStage:
    """Where the campaign stood on the Vietnam-local day the report was generated."""
    if report.status == CampaignStatus.CLOSED:
        return CampaignStage.ENDED
    today = report.generated_at.astimezone(VN_TZ).date()
    if today < report.starts_on:
        return CampaignStage.PLANNED
    if today > report.ends_on:
        return CampaignStage.ENDED
    return CampaignStage.RUNNING


def campaign_summary(report: CampaignReport, language: str) -> str:
    """One paragraph summing up the campaign in ``language`` ("vi" or "en"; others read "vi")."""
    lang = normalize_language(language)
    stage = campaign_stage(report)
    occasion, period = _occasion(report, lang), _period(report.starts_on, report.ends_on, lang)

    if report.totals.stations == 0:
        template = NO_STATIONS_ENDED if stage is CampaignStage.ENDED else NO_STATIONS
        sentence = translate(template, lang, occasion=occasion, period=period)
    else:
        sentence = _stations_sentence(report, stage, lang, occasion=occasion, period=period)
    return " ".join(
        [
            _capitalised(sentence) + ".",
            *_money_sentences(report, stage, lang),
            *satisfaction_sentence(report.satisfaction, lang),
        ]
    )


def _occasion(report: CampaignReport, lang: Language) -> str:
    # A Tết window always ends in the Tết year; a 30/4 one in its own year.
    year = report.ends_on.year
    if report.kind == CampaignKind.TET:
        return translate(OCCASION_TET, lang, canchi=canchi_year_name(year), year=year)
    if report.kind == CampaignKind.REUNIFICATION:
        return translate(OCCASION_REUNIFICATION, lang, year=year)
    return " ".join(report.name.split())


def _stations_sentence(
    report: CampaignReport, stage: CampaignStage, lang: Language, *, occasion: str, period: str
) -> str:
    units = report.sections.units
    opening = translate(
        _OPENINGS[stage],
        lang,
        occasion=occasion,
        period=period,
        taking=format_number(units.units_taking_part, lang),
        total=format_number(units.units_total, lang),
        stations=_counted(STATIONS, report.totals.stations, lang),
    )
    people = _people_clause(report, stage, lang)
    results = _activity_clauses(report, lang)

    if stage is CampaignStage.ENDED:
        if people:
            opening = f"{opening}, {people}"
        return "; ".join([opening, *(results or [translate(NOTHING_RECORDED, lang)])])

    # Planned or running: whatever is recorded is a figure "so far", the people included.
    if people:
        results.insert(0, people)
    if results:
        return translate(RESULTS_SO_FAR, lang, opening=opening, results="; ".join(results))
    if stage is CampaignStage.RUNNING:
        return f"{opening}; {translate(NOTHING_RECORDED_SO_FAR, lang)}"
    return opening  # nothing is expected yet of a campaign that has not started


def _forces_phrase(report: CampaignReport, lang: Language) -> str:
    served = {Force(row.force) for row in report.sections.forces if row.turns}
    words = [translate(word, lang) for force, word in FORCE_WORDS.items() if force in served]
    return _joined(words, lang) if words else translate(ALL_FORCES, lang)


def _people_clause(report: CampaignReport, stage: CampaignStage, lang: Language) -> str | None:
    totals = report.totals
    if not totals.volunteer_turns:
        return None
    ended = stage is CampaignStage.ENDED
    template = ngettext(TURNS_OF[0], TURNS_OF[1], 1 if totals.volunteer_turns == 1 else 2, lang)
    turns = template.format(
        count=format_number(totals.volunteer_turns, lang), forces=_forces_phrase(report, lang)
    )
    if totals.worked_hours:
        hours = _counted(HOURS_ON_DUTY, _hours_figure(totals.worked_hours), lang)
        template = PEOPLE_WITH_HOURS if ended else PEOPLE_WITH_HOURS_SO_FAR
        return translate(template, lang, turns=turns, hours=hours)
    return translate(PEOPLE_ONLY if ended else PEOPLE_ONLY_SO_FAR, lang, turns=turns)


def _activity_clauses(report: CampaignReport, lang: Language) -> list[str]:
    totals = report.totals
    clauses: list[str] = []
    supplies = [
        _counted(pair, value, lang)
        for pair, value in (
            (WATER_BOTTLES, totals.water_bottles),
            (COLD_TOWELS, totals.cold_towels),
            (FOOD_ITEMS, totals.food_items),
            (FUEL_LITRES, totals.fuel_litres),
        )
        if value
    ]
    if supplies:
        clauses.append(translate(HANDED_OUT, lang, items=_joined(supplies, lang)))
    if totals.motorbikes_checked:
        motorbikes = _counted(MOTORBIKES, totals.motorbikes_checked, lang)
        checkers = [
            partner.name
            for partner in report.sections.partners
            if partner.services.get(ServiceKind.MOTORBIKE_CHECK.value)
        ]
        if checkers:
            clauses.append(
                translate(
                    MOTORBIKES_CHECKED_WITH,
                    lang,
                    partners=_joined(checkers, lang),
                    motorbikes=motorbikes,
                )
            )
        else:
            clauses.append(translate(MOTORBIKES_CHECKED, lang, motorbikes=motorbikes))
    outreach = []
    if totals.leaflets:
        leaflets = _counted(LEAFLETS, totals.leaflets, lang)
        outreach.append(translate(LEAFLETS_DISTRIBUTED, lang, leaflets=leaflets))
    if totals.broadcast_hours:
        hours = _counted(BROADCAST_HOURS, _hours_figure(totals.broadcast_hours), lang)
        outreach.append(translate(BROADCAST, lang, hours=hours))
    if outreach:
        # "phát 32.000 tờ rơi, phát loa 1.960 giờ …": Vietnamese strings the two with a comma.
        clauses.append(", ".join(outreach) if lang is Language.VI else _joined(outreach, lang))
    if totals.first_aid:
        clauses.append(translate(FIRST_AID, lang, people=_counted(PEOPLE, totals.first_aid, lang)))
    if totals.directions:
        clauses.append(
            translate(DIRECTIONS, lang, people=_counted(PEOPLE, totals.directions, lang))
        )
    if totals.repairs:
        clauses.append(translate(REPAIRS, lang, vehicles=_counted(VEHICLES, totals.repairs, lang)))
    return clauses


def _money_sentences(report: CampaignReport, stage: CampaignStage, lang: Language) -> list[str]:
    funds = report.sections.funds
    if funds is None:
        # Part of a campaign (a unit's stations): only the value of what they received.
        if not report.totals.cost_vnd:
            return []
        template = COST if stage is CampaignStage.ENDED else COST_SO_FAR
        return [translate(template, lang, cost=format_number(report.totals.cost_vnd, lang))]
    sentences = []
    if funds.mobilised:
        sentences.append(
            translate(
                MOBILISED if stage is CampaignStage.ENDED else MOBILISED_SO_FAR,
                lang,
                amount=format_number(funds.mobilised, lang),
                cash=format_number(funds.mobilised_cash, lang),
                in_kind=format_number(funds.mobilised_in_kind, lang),
            )
        )
    if funds.spent or funds.budget:
        figures = {
            "budget": format_number(funds.budget, lang),
            "spent": format_number(funds.spent, lang),
            "balance": format_number(funds.balance, lang),
            "over": format_number(-funds.balance, lang),
        }
        if funds.budget:
            template = BUDGET_OVERSPENT if funds.overspent else BUDGET_SPENT
        else:
            template = OVERSPENT if funds.overspent else SPENT
        sentences.append(translate(template, lang, **figures))
    return sentences


def _counted(pair: tuple[str, str], value: int | float, lang: Language) -> str:
    template = ngettext(pair[0], pair[1], 1 if value == 1 else 2, lang)
    return template.format(count=format_number(value, lang))


def _hours_figure(hours: float) -> int | float:
    # A report writes "15.301 giờ trực"; a tenth of an hour matters only in small figures.
    return int(hours + 0.5) if hours >= 10 else hours


def _joined(parts: list[str], lang: Language) -> str:
    if len(parts) < 2:
        return ", ".join(parts)
    last = "và" if lang is Language.VI else "and"
    return f"{', '.join(parts[:-1])} {last} {parts[-1]}"


def _period(starts_on: dt.date, ends_on: dt.date, lang: Language) -> str:
    if starts_on == ends_on:
        return translate(PERIOD_ONE_DAY, lang, day=ends_on.strftime("%d/%m/%Y"))
    # "từ ngày 10/02 đến ngày 22/02/2026": the year once, when both ends share it.
    start = starts_on.strftime("%d/%m" if starts_on.year == ends_on.year else "%d/%m/%Y")
    return translate(PERIOD_RANGE, lang, start=start, end=ends_on.strftime("%d/%m/%Y"))


def _capitalised(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
