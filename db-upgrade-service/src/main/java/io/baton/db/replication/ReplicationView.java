package io.baton.db.replication;

import java.util.List;

/**
 * Who replicates from whom, at which position, and where writes go: the topology an operator checks.
 *
 * @param writePath the id of the server writes reach, or null when none is known
 */
public record ReplicationView(String deployment, String writePath, List<Member> nodes) {

    /**
     * A database server as replication sees it.
     *
     * @param replicaOf the id of the server it replicates from; null for a master
     * @param position its position now: an LSN (written on a master, replayed on a replica), a GTID position, or a
     *     sim counter; null when it does not answer
     * @param fenced writes are held on it (a switchover is under way)
     */
    public record Member(
            String id,
            String name,
            String replicaOf,
            String position,
            boolean fenced,
            String address,
            boolean running) {}
}
