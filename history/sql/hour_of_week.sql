-- Contacts and average handle time by hour of the week (UTC) and channel, for staffing.
-- parameters: scan_from_day, scan_to_day, from_day, to_day
-- day_of_week is ISO: 1 Monday to 7 Sunday. Counts are totals over the period: divide by its
-- number of weeks for a typical week. Handle time is the analytics function's (talk, hold and
-- after-contact work of the contacts an agent handled).
WITH
-- include: latest
counted AS (
    SELECT
        day_of_week(counted_at) AS day_of_week,
        hour(counted_at) AS hour,
        channel,
        inbound,
        reached_agent AS handled,
        CASE WHEN reached_agent THEN talk + hold + acw ELSE 0 END AS handle_time
    FROM latest
    WHERE CAST(counted_at AS date) BETWEEN CAST(? AS date) AND CAST(? AS date)
)
SELECT
    day_of_week,
    hour,
    channel,
    count(*) AS contacts,
    count_if(inbound) AS inbound,
    count_if(handled) AS handled,
    sum(handle_time) AS handle_time,
    CAST(sum(handle_time) AS double) / nullif(count_if(handled), 0) AS average_handle_time
FROM counted
GROUP BY day_of_week, hour, channel
ORDER BY day_of_week, hour, channel
