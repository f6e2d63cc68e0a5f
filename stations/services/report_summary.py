"""The campaign in one paragraph, as a provincial summary reports it.

One sentence of clauses in the order such a report gives them — stations and units, the
people mobilised and their hours, what was handed out, the motorbikes checked, leaflets and
loudspeaker hours, first aid — then the cost and the budget, each a sentence of its own. A
figure that is zero is left out with its words, never written as "0 lít xăng". Hours of ten
or more are written whole ("15.301 giờ trực"), smaller ones keep their tenth ("2,5 giờ").

The tense follows the campaign's stage on the day the report was generated (Vietnam time):
before its first day it *plans* its stations; from its first to its last day it *is running*
them and what it has done is counted "so far"; after its last day, or once closed, it *ran*
them. The stage is read from the report, not from the clock, so a saved report keeps the
paragraph of the moment its figures were taken.

Every fragment is an English msgid (plural pairs through ``N_``) whose Vietnamese is in
``locale/vi/LC_MESSAGES/reports.po``, so both languages are built by the same code and cannot
drift apart. The results are tense-neutral clauses ("handed out …", "cấp …"); the templates
joining them to the opening carry the tense, so Vietnamese writes its "đã" once, before the
first result, whichever that is. Only the list joining differs, and lives in code: Vietnamese
strings the items with commas, as the reports do; English puts "and" before the last one.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from stations.clock import VN_TZ
from stations.enums import CampaignStatus, Language
from stations.formatting import format_date, format_number
from stations.i18n import N_, _, ngettext, normalize_language, translate
from stations.services.queries.reports import CampaignReport
from stations.services.satisfaction_summary import satisfaction_sentence
from stations.text import fold

STATIONS = N_("{count} rest station", "{count} rest stations")
UNITS = N_("{count} unit", "{count} units")
VOLUNTEER_TURNS = N_("{count} volunteer turn", "{count} volunteer turns")
HOURS_ON_DUTY = N_("{count} hour on duty", "{count} hours on duty")
WATER_BOTTLES = N_("{count} bottle of water", "{count} bottles of water")
COLD_TOWELS = N_("{count} cold towel", "{count} cold towels")
FOOD_ITEMS = N_("{count} food item", "{count} food items")
FUEL_LITRES = N_("{count} litre of fuel", "{count} litres of fuel")
MOTORBIKES = N_("{count} motorbike", "{count} motorbikes")
LEAFLETS = N_("{count} leaflet", "{count} leaflets")
BROADCAST_HOURS = N_("{count} hour", "{count} hours")
PEOPLE = N_("{count} person", "{count} people")

OPENING_PLANNED = _("The {name} campaign ({period}) plans {stations} run by {units}")
OPENING_RUNNING = _("The {name} campaign ({period}) is running {stations} organised by {units}")
OPENING_ENDED = _("The {name} campaign ({period}) ran {stations} organised by {units}")
NO_STATIONS = _("The {name} campaign ({period}) has not opened any rest station yet")
NO_STATIONS_ENDED = _("The {name} campaign ({period}) did not open any rest station")
PERIOD_RANGE = _("from {start} to {end}")
PERIOD_ONE_DAY = _("on {day}")
# After an ended campaign's opening ("ran 30 rest stations …, mobilising …").
PEOPLE_WITH_HOURS = _(
    "mobilising officers, soldiers, union members and local people for {turns} and {hours}"
)
PEOPLE_ONLY = _("mobilising officers, soldiers, union members and local people for {turns}")
# The first of the results so far ("so far it has mobilised …").
PEOPLE_WITH_HOURS_SO_FAR = _(
    "mobilised officers, soldiers, union members and local people for {turns} and {hours}"
)
PEOPLE_ONLY_SO_FAR = _("mobilised officers, soldiers, union members and local people for {turns}")
HANDED_OUT = _("handed out {items}")
MOTORBIKES_CHECKED = _("carried out technical safety checks on {motorbikes} with partners")
LEAFLETS_DISTRIBUTED = _("distributed {leaflets}")
BROADCAST = _("broadcast {hours} of road traffic safety law messages by loudspeaker")
FIRST_AID = _("provided first aid to {people}")
# The results after the opening: the translation carries the tense, once ("đã", "đến nay đã").
RESULTS_ENDED = _("{opening}; {results}")
RESULTS_SO_FAR = _("{opening}; so far it has {results}")
NOTHING_RECORDED = _("no results have been recorded yet")
NOTHING_RECORDED_SO_FAR = _("no results have been recorded so far")
COST = _("Total cost: {cost} VND.")
COST_SO_FAR = _("Total cost so far: {cost} VND.")
BUDGET_LEFT = _("The budget is {budget} VND, of which {remaining} VND remains.")
BUDGET_EXCEEDED = _("The budget is {budget} VND, overspent by {over} VND.")


class CampaignStage(StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    ENDED = "ended"


_OPENINGS = {
    CampaignStage.PLANNED: OPENING_PLANNED,
    CampaignStage.RUNNING: OPENING_RUNNING,
    CampaignStage.ENDED: OPENING_ENDED,
}

#: A campaign name often starts with the word the sentence already supplies.
_CAMPAIGN_WORDS = (("chien", "dich"), ("campaign",))


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
    name, period = _bare_name(report.name), _period(report.starts_on, report.ends_on, lang)

    if report.totals.stations == 0:
        template = NO_STATIONS_ENDED if stage is CampaignStage.ENDED else NO_STATIONS
        sentence = translate(template, lang, name=name, period=period)
    else:
        sentence = _stations_sentence(report, stage, lang, name=name, period=period)
    return " ".join(
        [
            _capitalised(sentence) + ".",
            *_cost_sentence(report, stage, lang),
            *_budget_sentence(report, lang),
            *satisfaction_sentence(report.satisfaction, lang),
        ]
    )


def _stations_sentence(
    report: CampaignReport, stage: CampaignStage, lang: Language, *, name: str, period: str
) -> str:
    totals = report.totals
    opening = translate(
        _OPENINGS[stage],
        lang,
        name=name,
        period=period,
        stations=_counted(STATIONS, totals.stations, lang),
        units=_counted(UNITS, totals.units, lang),
    )
    people = _people_clause(report, stage, lang)
    results = _activity_clauses(report, lang)

    if stage is CampaignStage.ENDED:
        if people:
            opening = f"{opening}, {people}"
        if not results:
            return f"{opening}; {translate(NOTHING_RECORDED, lang)}"
        return translate(RESULTS_ENDED, lang, opening=opening, results="; ".join(results))

    # Planned or running: whatever is recorded is a figure "so far", the people included.
    if people:
        results.insert(0, people)
    if results:
        return translate(RESULTS_SO_FAR, lang, opening=opening, results="; ".join(results))
    if stage is CampaignStage.RUNNING:
        return f"{opening}; {translate(NOTHING_RECORDED_SO_FAR, lang)}"
    return opening  # nothing is expected yet of a campaign that has not started


def _people_clause(report: CampaignReport, stage: CampaignStage, lang: Language) -> str | None:
    totals = report.totals
    if not totals.volunteer_turns:
        return None
    ended = stage is CampaignStage.ENDED
    turns = _counted(VOLUNTEER_TURNS, totals.volunteer_turns, lang)
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
        clauses.append(translate(MOTORBIKES_CHECKED, lang, motorbikes=motorbikes))
    outreach = []
    if totals.leaflets:
        leaflets = _counted(LEAFLETS, totals.leaflets, lang)
        outreach.append(translate(LEAFLETS_DISTRIBUTED, lang, leaflets=leaflets))
    if totals.broadcast_hours:
        hours = _counted(BROADCAST_HOURS, _hours_figure(totals.broadcast_hours), lang)
        outreach.append(translate(BROADCAST, lang, hours=hours))
    if outreach:
        clauses.append(_joined(outreach, lang))
    if totals.first_aid:
        people = _counted(PEOPLE, totals.first_aid, lang)
        clauses.append(translate(FIRST_AID, lang, people=people))
    return clauses


def _cost_sentence(report: CampaignReport, stage: CampaignStage, lang: Language) -> list[str]:
    if not report.totals.cost_vnd:
        return []
    template = COST if stage is CampaignStage.ENDED else COST_SO_FAR
    return [translate(template, lang, cost=format_number(report.totals.cost_vnd, lang))]


def _budget_sentence(report: CampaignReport, lang: Language) -> list[str]:
    if report.budget_vnd is None:
        return []
    remaining = report.budget_remaining_vnd or 0
    budget = format_number(report.budget_vnd, lang)
    if remaining < 0:
        return [
            translate(BUDGET_EXCEEDED, lang, budget=budget, over=format_number(-remaining, lang))
        ]
    return [translate(BUDGET_LEFT, lang, budget=budget, remaining=format_number(remaining, lang))]


def _counted(pair: tuple[str, str], value: int | float, lang: Language) -> str:
    template = ngettext(pair[0], pair[1], 1 if value == 1 else 2, lang)
    return template.format(count=format_number(value, lang))


def _hours_figure(hours: float) -> int | float:
    # A report writes "15.301 giờ trực"; a tenth of an hour matters only in small figures.
    return int(hours + 0.5) if hours >= 10 else hours


def _joined(parts: list[str], lang: Language) -> str:
    if lang is Language.VI or len(parts) < 2:
        return ", ".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def _period(starts_on: dt.date, ends_on: dt.date, lang: Language) -> str:
    if starts_on == ends_on:
        return translate(PERIOD_ONE_DAY, lang, day=format_date(starts_on, lang))
    # "từ 30/01 đến 11/02/2027": the year once, when both ends share it.
    start = (
        starts_on.strftime("%d/%m")
        if starts_on.year == ends_on.year
        else format_date(starts_on, lang)
    )
    return translate(PERIOD_RANGE, lang, start=start, end=format_date(ends_on, lang))


def _bare_name(name: str) -> str:
    words = name.split()
    for lead in _CAMPAIGN_WORDS:
        if len(words) > len(lead) and tuple(fold(w) for w in words[: len(lead)]) == lead:
            return " ".join(words[len(lead) :])
    return " ".join(words)


def _capitalised(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
