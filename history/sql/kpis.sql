-- KPIs per period, queue and channel, counted as the analytics function counts them.
-- parameters: scan_from_day, scan_to_day, by, threshold_seconds, from_day, to_day
-- Every counter is a counter of lambdas/analytics/logic.py contribution() and every ratio a
-- property of its Kpis, under the same name; docs/history.md lists them.
WITH
-- include: latest
counted AS (
    SELECT
        date_trunc(?, counted_at) AS period,
        queue_name AS queue,
        channel,
        inbound,
        was_queued AS queued,
        was_queued AND reached_agent AS answered,
        reached_agent AS handled,
        was_queued AND NOT reached_agent AND moved_to_next_contact AS callback_requested,
        was_queued AND NOT reached_agent AND customer_left AS abandoned,
        NOT was_queued AND queue_chosen AS queue_full,
        NOT was_queued AND NOT queue_chosen AND inbound AND NOT reached_agent AS self_service,
        wait_seconds,
        wait_seconds <= CAST(? AS integer) AS within_threshold,
        talk,
        hold,
        acw,
        bot_result
    FROM latest
    WHERE CAST(counted_at AS date) BETWEEN CAST(? AS date) AND CAST(? AS date)
),
totals AS (
    SELECT
        period,
        queue,
        channel,
        count(*) AS contacts,
        count_if(inbound) AS inbound,
        count_if(queued) AS queued,
        count_if(answered) AS answered,
        count_if(handled) AS handled,
        count_if(abandoned) AS abandoned,
        count_if(callback_requested) AS callbacks_requested,
        count_if(queue_full) AS queue_full,
        count_if(self_service) AS self_service,
        count_if(answered AND within_threshold) AS answered_in_threshold,
        count_if((answered OR callback_requested OR abandoned) AND within_threshold)
            AS dequeued_in_threshold,
        sum(CASE WHEN answered THEN wait_seconds ELSE 0 END) AS queue_wait_handled,
        sum(CASE WHEN abandoned THEN wait_seconds ELSE 0 END) AS queue_wait_abandoned,
        sum(CASE WHEN handled THEN talk ELSE 0 END) AS talk,
        sum(CASE WHEN handled THEN hold ELSE 0 END) AS hold,
        sum(CASE WHEN handled THEN acw ELSE 0 END) AS acw,
        count_if(bot_result <> '') AS bot_contacts,
        count_if(bot_result = 'contained') AS bot_contained,
        count_if(bot_result = 'escalated') AS bot_escalated,
        count_if(bot_result = 'abandoned') AS bot_abandoned
    FROM counted
    GROUP BY period, queue, channel
)
SELECT
    totals.*,
    CAST(abandoned AS double) / nullif(queued, 0) AS abandonment_rate,
    CAST(queue_wait_handled AS double) / nullif(answered, 0) AS average_speed_of_answer,
    CAST(talk + hold + acw AS double) / nullif(handled, 0) AS average_handle_time,
    CAST(answered_in_threshold AS double) / nullif(queued, 0) AS service_level,
    CAST(dequeued_in_threshold AS double) / nullif(queued, 0) AS connect_service_level,
    CAST(self_service AS double) / nullif(inbound, 0) AS self_service_rate,
    CAST(bot_contained AS double) / nullif(bot_contacts, 0) AS containment_rate
FROM totals
ORDER BY period, queue, channel
