-- Roles and databases of the docker-compose topology (run once, on an empty volume).
CREATE ROLE leadflow LOGIN PASSWORD 'leadflow';
CREATE DATABASE leadflow OWNER leadflow;
CREATE ROLE temporal LOGIN PASSWORD 'temporal' CREATEDB;
