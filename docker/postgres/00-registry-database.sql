-- The schema registry's database (Apicurio's SQL storage): docker-compose.yml, service schema-registry.
CREATE DATABASE registry OWNER socialcrm;
