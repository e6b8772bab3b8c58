DROP TABLE gate_settings;
DROP TABLE site_rules;
DROP TABLE ip_rules;
