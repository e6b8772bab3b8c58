-- At most one block in force per conversation. Two agents blocking at once
-- on PostgreSQL could store two, and Unblock now then lifted only one.
-- Existing duplicates: the newest stays in force; the others end now.

-- The conversation points at its newest block in force, when one is: the
-- newest of duplicates, and also the one left in force after Unblock now
-- lifted the other (the conversation then points at the lifted block, and
-- could be neither unblocked nor blocked again).
UPDATE conversations
SET block_id = (
        SELECT MAX(b.id) FROM blocks b
        WHERE b.conversation_id = conversations.id
          AND b.network_index IS NOT NULL AND b.lifted_at IS NULL),
    block_until = (
        SELECT k.expires_at FROM blocks k
        WHERE k.id = (SELECT MAX(b.id) FROM blocks b
                      WHERE b.conversation_id = conversations.id
                        AND b.network_index IS NOT NULL AND b.lifted_at IS NULL)),
    blocked_at = (
        SELECT k.created_at FROM blocks k
        WHERE k.id = (SELECT MAX(b.id) FROM blocks b
                      WHERE b.conversation_id = conversations.id
                        AND b.network_index IS NOT NULL AND b.lifted_at IS NULL)),
    block_reason = (
        SELECT k.reason FROM blocks k
        WHERE k.id = (SELECT MAX(b.id) FROM blocks b
                      WHERE b.conversation_id = conversations.id
                        AND b.network_index IS NOT NULL AND b.lifted_at IS NULL))
WHERE EXISTS (SELECT 1 FROM blocks b
              WHERE b.conversation_id = conversations.id
                AND b.network_index IS NOT NULL AND b.lifted_at IS NULL)
  AND (block_id IS NULL
       OR block_id <> (SELECT MAX(b.id) FROM blocks b
                       WHERE b.conversation_id = conversations.id
                         AND b.network_index IS NOT NULL AND b.lifted_at IS NULL));

-- The older ones still running are lifted now, by the system.
UPDATE blocks
SET lifted_at = CURRENT_TIMESTAMP,
    lifted_by_name = 'the system (a duplicate block)'
WHERE network_index IS NOT NULL AND lifted_at IS NULL
  AND conversation_id IS NOT NULL
  AND expires_at > CURRENT_TIMESTAMP
  AND id < (SELECT MAX(b.id) FROM blocks b
            WHERE b.conversation_id = blocks.conversation_id
              AND b.network_index IS NOT NULL AND b.lifted_at IS NULL);

-- Every block no longer in force keeps no network.
UPDATE blocks
SET network_sealed = NULL, network_index = NULL
WHERE network_index IS NOT NULL
  AND (lifted_at IS NOT NULL
       OR (conversation_id IS NOT NULL
           AND id < (SELECT MAX(b.id) FROM blocks b
                     WHERE b.conversation_id = blocks.conversation_id
                       AND b.network_index IS NOT NULL AND b.lifted_at IS NULL)));

CREATE UNIQUE INDEX blocks_one_active ON blocks(conversation_id) WHERE network_index IS NOT NULL;
