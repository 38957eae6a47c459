package io.baton.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What may reach postgresql.conf, primary_conninfo, pgbouncer.ini, my.cnf, haproxy.cfg and HAProxy's runtime API. */
class ConfigValuesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "db-1\nrestore_command = 'rm -rf /'",
                "db-1' host=evil",
                "../../etc/passwd",
                "db-1; rm -rf /",
                "DB-1",
                "db 1",
                "",
                "-db"
            })
    void aNameThatIsNoDnsLabelIsRefused(String name) {
        assertThatThrownBy(() -> ConfigValues.label("server name", name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nothing written")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aClientNetworkIsAnIpv4CidrGivenAsAddressAndNetmask() {
        assertThat(ConfigValues.network("n", "10.0.0.0/16")).containsExactly("10.0.0.0", "255.255.0.0");
        assertThat(ConfigValues.network("n", "192.168.7.9/24")).containsExactly("192.168.7.0", "255.255.255.0");
        assertThat(ConfigValues.network("n", "127.0.0.0/8")).containsExactly("127.0.0.0", "255.0.0.0");
        assertThat(ConfigValues.network("n", "10.1.2.3/32")).containsExactly("10.1.2.3", "255.255.255.255");
        assertThat(ConfigValues.network("n", "0.0.0.0/0")).containsExactly("0.0.0.0", "0.0.0.0");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.0.0.0",
                "10.0.0.0/33",
                "10.0.0.256/24",
                "10.0.0/24",
                "10.0.0.0/24 trust",
                "10.0.0.0/24\nhost all all 0.0.0.0/0 trust",
                "'10.0.0.0/24'",
                "all"
            })
    void anythingElseIsRefusedAsAClientNetwork(String network) {
        assertThatThrownBy(() -> ConfigValues.network("client network", network))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nothing written")
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "not an address:99999",
                "127.0.0.1:0",
                "127.0.0.1:65536",
                "127.0.0.1",
                "127.0.0.1;shutdown sessions server www/app-1:80",
                "127.0.0.1:80\nset server www/app-1 state maint",
                "host=evil port=1:5432",
                ":5432"
            })
    void anAddressThatIsNotHostAndPortIsRefused(String address) {
        assertThatThrownBy(() -> ConfigValues.address("address", address)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void goodValuesPassAsTheyAre() {
        assertThat(ConfigValues.label("name", "app-12")).isEqualTo("app-12");
        assertThat(ConfigValues.address("address", "127.0.10.3:5432")).containsExactly("127.0.10.3", "5432");
        assertThat(ConfigValues.address("address", "db-3.shop.internal:3306"))
                .containsExactly("db-3.shop.internal", "3306");
        assertThat(ConfigValues.slot("slot", "db_3")).isEqualTo("db_3");
    }

    @Test
    void aRuntimeCommandIsOneCommand() {
        assertThat(ConfigValues.runtimeCommand("set server www/app-1 state drain"))
                .isEqualTo("set server www/app-1 state drain");
        assertThatThrownBy(() -> ConfigValues.runtimeCommand("show stat; shutdown sessions server www/app-1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConfigValues.runtimeCommand("show stat\nshutdown frontend www"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void postgresqlConfStringsAreQuotedAsPostgresqlReadsThem() {
        assertThat(ConfigValues.pgConfString("host=127.0.0.1 port=5432")).isEqualTo("'host=127.0.0.1 port=5432'");
        assertThat(ConfigValues.pgConfString("it's a \\ test")).isEqualTo("'it''s a \\\\ test'");
        assertThatThrownBy(() -> ConfigValues.pgConfString("a\nb")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mariadbReplicationIsPointedOnlyAtAnAddress() {
        Secrets.Login root = new Secrets.Login(Engines.MARIADB, "root", "pw'; DROP TABLE x; --");
        assertThat(MariadbServers.changeMaster("127.0.10.4:3306", root, "slave_pos"))
                .startsWith("CHANGE MASTER TO master_host = '127.0.10.4', master_port = 3306")
                .contains("master_password = 'pw''; DROP TABLE x; --'");
        assertThatThrownBy(() -> MariadbServers.changeMaster("127.0.10.4:3306, master_user = 'x'", root, "slave_pos"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MariadbServers.changeMaster("127.0.10.4:3306", root, "no; DROP TABLE x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPathInAConnectionStringHasNothingToEscape() {
        assertThat(ConfigValues.path("pgpass", java.nio.file.Path.of("/tmp/baton-x/instances/a-1/pgpass")))
                .isEqualTo("/tmp/baton-x/instances/a-1/pgpass");
        for (String bad : new String[] {"/tmp/a b/pgpass", "/tmp/a'b", "relative/pgpass", "/tmp/a\nb"}) {
            assertThatThrownBy(() -> ConfigValues.path("pgpass", java.nio.file.Path.of(bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
