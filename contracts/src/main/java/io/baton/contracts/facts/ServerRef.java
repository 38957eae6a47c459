package io.baton.contracts.facts;

/** A server named in a fact: its name and where it answers ({@code host:port}); {@code name=address} on the wire. */
public record ServerRef(String name, String address) {}
