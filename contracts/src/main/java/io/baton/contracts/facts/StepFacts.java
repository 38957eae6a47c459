package io.baton.contracts.facts;

/**
 * What a step leaves in the routing slip for the steps and compensations after it: a record whose components are the
 * facts, each under its component's name. On the wire the slip keeps them as strings ({@link Facts} is the one codec),
 * so that consumers that know only some of them read what they know.
 */
public interface StepFacts {}
