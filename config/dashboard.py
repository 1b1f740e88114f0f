"""What the supervisor's dashboard and the local charts share, without the CDK.

`infra/constructs/observability.py` writes the alarms' metric math with it, and the charts of
`ccaas rehearse` and `ccaas report` (`local_connect.records.presentation`) blank the same
intervals, so a chart never shows a rate the alarms would not act on.
"""

from __future__ import annotations

# A rate from a handful of contacts is noise a supervisor would read as an incident (one
# abandoned call of two at 03:00 is not a 50% abandonment problem; the two calls that reach the
# queue just after closing would draw "100% abandoned at 18:00"). Below this many contacts
# queued in a 15-minute interval and channel, the rate alarms hold and the charts leave the
# abandonment rate and the service level blank. The KPI tables count every contact.
MIN_QUEUED_FOR_RATES = 10
