package io.baton.contracts;

/**
 * The database pair as it was when the upgrade was planned.
 *
 * @param masterAddress host:port where the master accepts connections (a sim name for the sim fleet)
 */
public record Topology(
        String masterId,
        String masterName,
        String masterAddress,
        String slaveId,
        String slaveName,
        String slaveAddress,
        ServerConfig current) {}
