package io.baton.contracts;

public enum Classification {
    /** A different server template, a new revision of it, or another cloud/region: add a new server. */
    MAJOR,
    /** Only instance size, zone, security groups, SSH key or machine image: clone the slave and edit it. */
    MINOR
}
