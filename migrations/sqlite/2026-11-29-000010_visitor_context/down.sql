DROP TABLE visitor_refusals;
DROP TABLE visitor_pages;
