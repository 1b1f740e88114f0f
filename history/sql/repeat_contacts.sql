-- Repeat contacts and first-contact resolution within 7 and 30 days, across channels.
-- parameters: scan_from_day, scan_to_day, from_day, to_day, by
-- context_days: 30
-- An identified contact is an inbound one carrying our customer id (any channel). It is a
-- repeat within N days when the same customer made another identified contact in the N days
-- before it, and resolved within N days (first-contact resolution) when they made none in the
-- N days after it. A contact is never its own predecessor through a transfer or continuation
-- (PreviousContactId, InitialContactId, RelatedContactId). docs/history.md defines each column.
WITH
-- include: latest
identified AS (
    SELECT
        contactid,
        customer_id,
        channel,
        started_at,
        previous_contact_id,
        initial_contact_id,
        related_contact_id
    FROM latest
    WHERE inbound AND customer_id <> ''
),
neighbours AS (
    SELECT
        contact.contactid,
        contact.channel,
        contact.started_at,
        max(
            CASE
                WHEN other.started_at >= contact.started_at - INTERVAL '7' DAY
                AND other.started_at < contact.started_at THEN 1
                ELSE 0
            END
        ) AS repeat_7d,
        max(CASE WHEN other.started_at < contact.started_at THEN 1 ELSE 0 END) AS repeat_30d,
        max(
            CASE
                WHEN other.started_at > contact.started_at
                AND other.started_at <= contact.started_at + INTERVAL '7' DAY THEN 1
                ELSE 0
            END
        ) AS followed_7d,
        max(CASE WHEN other.started_at > contact.started_at THEN 1 ELSE 0 END) AS followed_30d
    FROM identified AS contact
    LEFT JOIN identified AS other
        ON other.customer_id = contact.customer_id
        AND other.contactid <> contact.contactid
        AND other.contactid NOT IN (
            contact.previous_contact_id, contact.initial_contact_id, contact.related_contact_id
        )
        AND contact.contactid NOT IN (
            other.previous_contact_id, other.initial_contact_id, other.related_contact_id
        )
        AND other.started_at >= contact.started_at - INTERVAL '30' DAY
        AND other.started_at <= contact.started_at + INTERVAL '30' DAY
    WHERE CAST(contact.started_at AS date) BETWEEN CAST(? AS date) AND CAST(? AS date)
    GROUP BY contact.contactid, contact.channel, contact.started_at
),
totals AS (
    SELECT
        date_trunc(?, started_at) AS period,
        channel,
        count(*) AS identified,
        sum(repeat_7d) AS repeat_7d,
        sum(repeat_30d) AS repeat_30d,
        count(*) - sum(followed_7d) AS resolved_7d,
        count(*) - sum(followed_30d) AS resolved_30d
    FROM neighbours
    GROUP BY 1, 2
)
SELECT
    totals.*,
    CAST(repeat_7d AS double) / identified AS repeat_rate_7d,
    CAST(repeat_30d AS double) / identified AS repeat_rate_30d,
    CAST(resolved_7d AS double) / identified AS first_contact_resolution_7d,
    CAST(resolved_30d AS double) / identified AS first_contact_resolution_30d
FROM totals
ORDER BY period, channel
