-- The pages a visitor's widget reported, for the agent console's sidebar:
-- the last 20 per visitor, erased after 7 days.
CREATE TABLE visitor_pages (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    visitor_key TEXT NOT NULL,
    url TEXT NOT NULL,
    seen_at TIMESTAMP NOT NULL
);
CREATE INDEX visitor_pages_visitor ON visitor_pages(account_id, visitor_key, id);
CREATE INDEX visitor_pages_seen ON visitor_pages(seen_at);

-- How many widget requests the gate refused, per hour, by the blind index
-- of the visitor's network and the visitor key ('' when the request named
-- no visitor). Never an address. Erased after 7 days.
CREATE TABLE visitor_refusals (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    network_index BLOB NOT NULL,
    visitor_key TEXT NOT NULL DEFAULT '',
    hour TIMESTAMP NOT NULL,
    times INTEGER NOT NULL,
    PRIMARY KEY (account_id, network_index, visitor_key, hour)
);
CREATE INDEX visitor_refusals_key ON visitor_refusals(account_id, visitor_key, hour);
CREATE INDEX visitor_refusals_hour ON visitor_refusals(hour);
