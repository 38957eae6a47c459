package io.baton.db.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.db.replication.mariadb.MariadbReplication;
import io.baton.db.replication.postgres.PostgresReplication;
import org.junit.jupiter.api.Test;

/** Positions compare exactly: WAL locations as numbers, GTID sets domain by domain. */
class PositionsTest {

    @Test
    void walLocationsCompareAsNumbersNotAsText() {
        assertThat(PostgresReplication.lsn("0/A000000")).isGreaterThan(PostgresReplication.lsn("0/9FFFFFF"));
        assertThat(PostgresReplication.lsn("1/0")).isGreaterThan(PostgresReplication.lsn("0/FFFFFFFF"));
        assertThat(PostgresReplication.lsn("16/B374D848")).isEqualTo(0x16B374D848L);
    }

    @Test
    void aGtidPositionCoversAnotherWhenEveryDomainIsAsFarAlong() {
        assertThat(MariadbReplication.covers("0-2564-2600", "0-2561-2597")).isTrue();
        assertThat(MariadbReplication.covers("0-2564-2597", "0-2564-2597")).isTrue();
        assertThat(MariadbReplication.covers("0-2564-2596", "0-2564-2597")).isFalse();
        assertThat(MariadbReplication.covers("0-1-10,1-2-5", "0-1-9,1-3-6")).isFalse();
        assertThat(MariadbReplication.covers("0-1-10", "")).isTrue();
        assertThat(MariadbReplication.covers("", "0-1-1")).isFalse();
    }
}
