"""The campaign in one paragraph, as a provincial summary reports it.

One sentence of clauses in the order such a report gives them — stations and units, the
people mobilised and their hours, what was handed out, the motorbikes checked, leaflets and
loudspeaker hours, first aid, the cost — then the budget when there is one. A figure that is
zero is left out with its words, never written as "0 lít xăng". Hours of ten or more are
written whole ("15.301 giờ trực"), smaller ones keep their tenth ("2,5 giờ").

Every fragment is an English msgid (plural pairs through ``N_``) whose Vietnamese is in
``locale/vi/LC_MESSAGES/reports.po``, so both languages are built by the same code and cannot
drift apart. Only the list joining differs, and lives in code: Vietnamese strings the items
with commas, as the reports do; English puts "and" before the last one.
"""

from __future__ import annotations

import datetime as dt

from stations.enums import Language
from stations.formatting import format_date, format_number
from stations.i18n import N_, _, ngettext, normalize_language, translate
from stations.services.queries.reports import CampaignReport
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

OPENING = _("The {name} campaign ({period}) ran {stations} organised by {units}")
NO_STATIONS = _("The {name} campaign ({period}) has not opened any rest station yet")
PERIOD_RANGE = _("from {start} to {end}")
PERIOD_ONE_DAY = _("on {day}")
PEOPLE_WITH_HOURS = _(
    "mobilising officers, soldiers, union members and local people for {turns} and {hours}"
)
PEOPLE_ONLY = _("mobilising officers, soldiers, union members and local people for {turns}")
HANDED_OUT = _("handed out {items}")
MOTORBIKES_CHECKED = _("carried out technical safety checks on {motorbikes} with partners")
LEAFLETS_DISTRIBUTED = _("distributed {leaflets}")
BROADCAST = _("broadcast {hours} of road traffic safety law messages by loudspeaker")
FIRST_AID = _("gave first aid to {people}")
NOTHING_RECORDED = _("no results have been recorded yet")
COST = _("at a total cost of {cost} VND")
BUDGET_LEFT = _("The budget is {budget} VND, of which {remaining} VND remains.")
BUDGET_EXCEEDED = _("The budget is {budget} VND, exceeded by {over} VND.")

#: A campaign name often starts with the word the sentence already supplies.
_CAMPAIGN_WORDS = (("chien", "dich"), ("campaign",))


def campaign_summary(report: CampaignReport, language: str) -> str:
    """One paragraph summing up the campaign in ``language`` ("vi" or "en"; others read "vi")."""
    lang = normalize_language(language)
    totals = report.totals
    name, period = _bare_name(report.name), _period(report.starts_on, report.ends_on, lang)

    if totals.stations == 0:
        sentence = translate(NO_STATIONS, lang, name=name, period=period)
        return " ".join([_capitalised(sentence) + ".", *_budget_sentence(report, lang)])

    opening = translate(
        OPENING,
        lang,
        name=name,
        period=period,
        stations=_counted(STATIONS, totals.stations, lang),
        units=_counted(UNITS, totals.units, lang),
    )
    if totals.volunteer_turns:
        turns = _counted(VOLUNTEER_TURNS, totals.volunteer_turns, lang)
        if totals.worked_hours:
            hours = _counted(HOURS_ON_DUTY, _hours_figure(totals.worked_hours), lang)
            people = translate(PEOPLE_WITH_HOURS, lang, turns=turns, hours=hours)
        else:
            people = translate(PEOPLE_ONLY, lang, turns=turns)
        opening = f"{opening}, {people}"

    clauses = _activity_clauses(report, lang)
    sentence = "; ".join([opening, *(clauses or [translate(NOTHING_RECORDED, lang)])])
    if totals.cost_vnd:
        sentence += ", " + translate(COST, lang, cost=format_number(totals.cost_vnd, lang))
    return " ".join([_capitalised(sentence) + ".", *_budget_sentence(report, lang)])


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
