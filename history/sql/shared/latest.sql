-- The newest version of each contact in the scanned days, and the facts every query counts by.
-- parameters: scan_from_day, scan_to_day
-- Each fact is decided as lambdas/analytics/logic.py decides it (counted_at, queue_name,
-- is_inbound, was_queued, reached_agent, is_abandoned, bot_counter), and is never null
-- (count_if over nothing but nulls is 0 in Athena but null in DuckDB).
SELECT
    facts.*,
    CASE
        WHEN bot_outcome = '' THEN ''
        WHEN bot_outcome = 'in_bot' THEN 'abandoned'
        WHEN bot_outcome = 'fulfilled' AND NOT was_queued AND NOT reached_agent THEN 'contained'
        ELSE 'escalated'
    END AS bot_result
FROM (
    SELECT
        contactid,
        upper(channel) AS channel,
        coalesce(attributes.customerid, '') AS customer_id,
        coalesce(previouscontactid, '') AS previous_contact_id,
        coalesce(initialcontactid, '') AS initial_contact_id,
        coalesce(relatedcontactid, '') AS related_contact_id,
        coalesce(
            initiationtimestamp,
            connectedtosystemtimestamp,
            queue.enqueuetimestamp,
            disconnecttimestamp,
            lastupdatetimestamp
        ) AS started_at,
        coalesce(
            queue.enqueuetimestamp,
            initiationtimestamp,
            connectedtosystemtimestamp,
            disconnecttimestamp,
            lastupdatetimestamp
        ) AS counted_at,
        coalesce(nullif(queue.name, ''), nullif(attributes.queuename, ''), '') AS queue_name,
        coalesce(nullif(upper(initiationmethod), ''), 'INBOUND') NOT IN (
            'OUTBOUND', 'TRANSFER', 'QUEUE_TRANSFER', 'CALLBACK', 'DISCONNECT', 'MONITOR',
            'EXTERNAL_OUTBOUND', 'AGENT_REPLY', 'FLOW', 'CAMPAIGN_PREVIEW'
        )
        AND NOT (coalesce(upper(initiationmethod), '') = 'API' AND upper(channel) = 'VOICE')
            AS inbound,
        (queue.enqueuetimestamp IS NOT NULL OR queue.name IS NOT NULL) AS was_queued,
        agent.connectedtoagenttimestamp IS NOT NULL AS reached_agent,
        coalesce(nextcontactid, '') <> '' AS moved_to_next_contact,
        coalesce(upper(disconnectreason), '') = 'CUSTOMER_DISCONNECT'
        AND coalesce(nextcontactid, '') = ''
        AND transfercompletedtimestamp IS NULL AS customer_left,
        coalesce(attributes.queuename, '') <> '' AS queue_chosen,
        coalesce(
            queue.duration,
            greatest(0, date_diff('second', queue.enqueuetimestamp, queue.dequeuetimestamp)),
            0
        ) AS wait_seconds,
        coalesce(agent.agentinteractionduration, 0) AS talk,
        coalesce(agent.customerholdduration, 0) AS hold,
        coalesce(agent.aftercontactworkduration, 0) AS acw,
        coalesce(attributes.self_service_outcome, '') AS bot_outcome,
        coalesce(attributes.self_service_intent, '') AS bot_intent
    FROM (
        SELECT
            records.*,
            row_number() OVER (
                PARTITION BY contactid
                ORDER BY
                coalesce(lastupdatetimestamp, disconnecttimestamp, initiationtimestamp) DESC
            ) AS newest_first
        FROM contact_records AS records
        WHERE dt BETWEEN ? AND ?
    ) AS versions
    WHERE newest_first = 1
) AS facts
