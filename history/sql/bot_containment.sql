-- Self-service bot contacts per period and intent: contained, escalated, or abandoned in the bot.
-- parameters: scan_from_day, scan_to_day, by, from_day, to_day
-- The analytics function's bot counters per intent (intent '' when the bot learnt none).
WITH
-- include: latest
bot_contacts AS (
    SELECT
        date_trunc(?, counted_at) AS period,
        bot_intent AS intent,
        bot_result
    FROM latest
    WHERE bot_result <> ''
    AND CAST(counted_at AS date) BETWEEN CAST(? AS date) AND CAST(? AS date)
),
totals AS (
    SELECT
        period,
        intent,
        count(*) AS bot_contacts,
        count_if(bot_result = 'contained') AS bot_contained,
        count_if(bot_result = 'escalated') AS bot_escalated,
        count_if(bot_result = 'abandoned') AS bot_abandoned
    FROM bot_contacts
    GROUP BY period, intent
)
SELECT
    totals.*,
    CAST(bot_contained AS double) / bot_contacts AS containment_rate,
    CAST(bot_escalated AS double) / bot_contacts AS escalation_rate,
    CAST(bot_abandoned AS double) / bot_contacts AS bot_abandonment_rate
FROM totals
ORDER BY period, intent
