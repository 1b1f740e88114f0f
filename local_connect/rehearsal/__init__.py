"""The local rehearsal: a scenario's day played through the flows, the ACD and the analytics.

For each variant of a scenario (`play.rehearse`):
1. planning (`planning`): reminders sent the evening before (`reminders`), then the traffic
   generator draws the day's contacts (`local_connect.scenarios.traffic`);
2. routing (`day.route_day`): each contact's entry flow decides its queue, priority and
   attributes (`routing` holds the result types, `flow_router` runs the real flows);
3. the ACD simulator plays queues, agents, patience and callbacks (`local_connect.acd`);
4. every contact becomes a contact record in Connect's format (`local_connect.records`);
5. the records go through the contact-record stream to the analytics Lambda, whose metric rows
   become the supervisor's KPI table (`analytics.AnalyticsStage`), or, when the handler is not
   run, are counted from the records with the handler's own counting and the table says so;
then the variants are compared (`tables`) and a chart of the day is drawn (`chart`); the KPI
table and the chart writer are `ccaas report`'s (`local_connect.records.presentation`). The
steps of every variant run in a pool of processes (`pool`). `days.rehearse_days` plays
consecutive days with the same customers coming back.

Only the command line imports this package (an import-linter contract says so).
"""

from local_connect.rehearsal.analytics import AnalyticsStage
from local_connect.rehearsal.chart import draw_day
from local_connect.rehearsal.days import rehearse_days
from local_connect.rehearsal.play import Progress, rehearse
from local_connect.rehearsal.results import Rehearsal, VariantRun
from local_connect.rehearsal.tables import comparison_table

__all__ = [
    "AnalyticsStage",
    "Progress",
    "Rehearsal",
    "VariantRun",
    "comparison_table",
    "draw_day",
    "rehearse",
    "rehearse_days",
]
