package io.baton.planner.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.planner.plan.MigrationClassifier.Verdict;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MigrationClassifierTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # PostgreSQL: additive
            CREATE TABLE order_notes (id bigserial PRIMARY KEY, order_id bigint, body text)              | true  | new table
            CREATE TABLE IF NOT EXISTS audit_log (id serial, message text)                               | true  | new table
            CREATE INDEX idx_orders_customer ON orders (customer_id)                                     | true  | new index
            CREATE INDEX CONCURRENTLY idx_orders_created ON orders (created_at)                          | true  | new index
            ALTER TABLE orders ADD COLUMN note text                                                      | true  | nullable or defaulted
            ALTER TABLE orders ADD COLUMN status varchar(20) NOT NULL DEFAULT 'new'                      | true  | nullable or defaulted
            ALTER TABLE orders ADD COLUMN discount integer DEFAULT 0                                     | true  | nullable or defaulted
            ALTER TABLE orders ALTER COLUMN note SET DEFAULT 'none'                                      | true  | new default
            CREATE VIEW open_orders AS SELECT id FROM orders WHERE closed_at IS NULL                     | true  | new view
            CREATE SEQUENCE invoice_numbers                                                              | true  | new sequence
            INSERT INTO order_states (name) VALUES ('archived')                                          | true  | new rows
            # MySQL: additive
            CREATE TABLE `coupons` (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(32)) ENGINE=InnoDB   | true  | new table
            ALTER TABLE orders ADD note2 TEXT NULL                                                       | true  | nullable or defaulted
            ALTER TABLE orders ADD INDEX idx_orders_state (state)                                        | true  | new index
            ALTER TABLE orders ADD COLUMN priority TINYINT DEFAULT 0 NOT NULL                            | true  | nullable or defaulted
            # PostgreSQL: incompatible
            DROP TABLE legacy_orders                                                                     | false | drops
            ALTER TABLE orders DROP COLUMN note                                                          | false | drops
            ALTER TABLE orders RENAME COLUMN note TO remark                                              | false | renames
            ALTER TABLE orders RENAME TO purchases                                                       | false | renames
            ALTER TABLE orders ALTER COLUMN total TYPE bigint                                            | false | type
            ALTER TABLE orders ALTER COLUMN note SET NOT NULL                                            | false | NOT NULL
            ALTER TABLE orders ALTER COLUMN note DROP DEFAULT                                            | false | drops a default
            ALTER TABLE orders ADD COLUMN region text NOT NULL                                           | false | NOT NULL without a default
            ALTER TABLE orders ADD CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customers(id) | false | constraint
            ALTER TABLE orders DROP CONSTRAINT fk_customer                                               | false | drops
            CREATE UNIQUE INDEX idx_orders_ref ON orders (ref)                                           | false | unique index
            TRUNCATE TABLE orders                                                                        | false | every row
            DROP INDEX idx_orders_customer                                                               | false | drops
            UPDATE orders SET total = 0                                                                  | false | existing rows
            DELETE FROM orders WHERE id < 100                                                            | false | existing rows
            # MySQL: incompatible
            ALTER TABLE orders MODIFY total BIGINT                                                       | false | existing column
            ALTER TABLE orders CHANGE note remark TEXT                                                   | false | existing column
            ALTER TABLE orders ADD COLUMN sku VARCHAR(40) UNIQUE                                         | false | constraint
            # not SQL Baton can read
            MAKE THE TABLE BIGGER PLEASE                                                                 | false | cannot be parsed
            """)
    void classifies(String sql, boolean additive, String reason) {
        List<Verdict> verdicts = MigrationClassifier.classify(sql);
        assertThat(verdicts).hasSize(1);
        assertThat(verdicts.get(0).additive()).as(verdicts.get(0).reason()).isEqualTo(additive);
        assertThat(verdicts.get(0).reason()).contains(reason);
    }

    @org.junit.jupiter.api.Test
    void aScriptIsJudgedStatementByStatement() {
        List<Verdict> verdicts = MigrationClassifier.classify(
                """
                CREATE TABLE a (id int);
                ALTER TABLE orders ADD COLUMN x int, DROP COLUMN y;
                CREATE INDEX i ON a (id);
                """);
        assertThat(verdicts).extracting(Verdict::additive).containsExactly(true, true, false, true);
        assertThat(verdicts.get(2).statement()).contains("DROP COLUMN y");
    }
}
