DROP TABLE invitations;
DROP TABLE visitors;
DROP TABLE files;
DROP TABLE events;
DROP TABLE conversations;
