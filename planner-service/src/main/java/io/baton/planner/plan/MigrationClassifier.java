package io.baton.planner.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.alter.Alter;
import net.sf.jsqlparser.statement.alter.AlterExpression;
import net.sf.jsqlparser.statement.create.index.CreateIndex;
import net.sf.jsqlparser.statement.create.sequence.CreateSequence;
import net.sf.jsqlparser.statement.create.table.CreateTable;
import net.sf.jsqlparser.statement.create.view.CreateView;
import net.sf.jsqlparser.statement.insert.Insert;

/**
 * Tells additive migrations, which the running version of the application survives, from incompatible ones, which
 * need downtime. Statements are parsed with JSqlParser (PostgreSQL and MySQL dialects); only what the parser shows
 * to be a new table, a new view or sequence, a new non-unique index, a new nullable or defaulted column, or new rows
 * is additive. Anything else, including what cannot be parsed, is refused: a false refusal costs a maintenance
 * window, a false pass costs an outage.
 */
public final class MigrationClassifier {

    /** One statement and what it is. */
    public record Verdict(String statement, boolean additive, String reason) {}

    private MigrationClassifier() {}

    public static List<Verdict> classify(String sql) {
        List<Verdict> verdicts = new ArrayList<>();
        List<Statement> statements;
        try {
            // JSqlParser does not know PostgreSQL's CONCURRENTLY; it changes how an index is built, not what it is
            statements =
                    CCJSqlParserUtil.parseStatements(withoutConcurrently(sql)).getStatements();
        } catch (JSQLParserException e) {
            String first = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                    .lines()
                    .findFirst()
                    .orElse("");
            verdicts.add(new Verdict(
                    sql.strip(),
                    false,
                    "cannot be parsed (" + first + "); only statements Baton can" + " read are run before an upgrade"));
            return verdicts;
        }
        for (Statement statement : statements) {
            verdicts.addAll(classify(statement));
        }
        return verdicts;
    }

    private static List<Verdict> classify(Statement statement) {
        String text = statement.toString();
        if (statement instanceof CreateTable) {
            return List.of(new Verdict(text, true, "new table"));
        }
        if (statement instanceof CreateView || statement instanceof CreateSequence) {
            return List.of(new Verdict(text, true, "new " + (statement instanceof CreateView ? "view" : "sequence")));
        }
        if (statement instanceof CreateIndex index) {
            String type = index.getIndex().getType();
            if (type != null && type.toUpperCase(Locale.ROOT).contains("UNIQUE")) {
                return List.of(new Verdict(text, false, "a unique index can refuse writes the running version makes"));
            }
            return List.of(new Verdict(text, true, "new index"));
        }
        if (statement instanceof Insert) {
            return List.of(new Verdict(text, true, "new rows"));
        }
        if (statement instanceof Alter alter) {
            List<Verdict> verdicts = new ArrayList<>();
            for (AlterExpression expression : alter.getAlterExpressions()) {
                verdicts.add(classify(alter, expression));
            }
            return verdicts;
        }
        String kind = statement.getClass().getSimpleName().toLowerCase(Locale.ROOT);
        return List.of(new Verdict(
                text,
                false,
                switch (kind) {
                    case "drop" -> "drops what the running version may use";
                    case "truncate" -> "deletes every row";
                    case "update", "delete", "merge", "upsert" -> "changes existing rows the running version reads";
                    default -> "is not an additive schema change (" + kind + ")";
                }));
    }

    private static Verdict classify(Alter alter, AlterExpression e) {
        String text = "ALTER TABLE " + alter.getTable() + " " + e;
        String upper = e.toString().toUpperCase(Locale.ROOT);
        switch (e.getOperation()) {
            case ADD -> {
                if (e.getColDataTypeList() != null && !e.getColDataTypeList().isEmpty()) {
                    for (var column : e.getColDataTypeList()) {
                        String specs = column.getColumnSpecs() == null
                                ? ""
                                : String.join(" ", column.getColumnSpecs()).toUpperCase(Locale.ROOT);
                        if (specs.contains("PRIMARY")
                                || specs.contains("UNIQUE")
                                || specs.contains("REFERENCES")
                                || specs.contains("CHECK")) {
                            return new Verdict(
                                    text,
                                    false,
                                    "the new column " + column.getColumnName()
                                            + " has a constraint that can refuse writes the running version makes");
                        }
                        if (specs.contains("NOT NULL") && !specs.contains("DEFAULT")) {
                            return new Verdict(
                                    text,
                                    false,
                                    "the new column " + column.getColumnName()
                                            + " is NOT NULL without a default: the running version's inserts would fail");
                        }
                    }
                    return new Verdict(text, true, "new nullable or defaulted column");
                }
                if (upper.contains("FOREIGN KEY")
                        || upper.contains("UNIQUE")
                        || upper.contains("PRIMARY KEY")
                        || upper.contains("CHECK")) {
                    return new Verdict(text, false, "a new constraint can refuse writes the running version makes");
                }
                if (e.getIndex() != null) {
                    return new Verdict(text, true, "new index");
                }
                return new Verdict(text, false, "adds something Baton cannot tell to be additive");
            }
            case ALTER -> {
                if (upper.contains("SET DEFAULT")) {
                    return new Verdict(text, true, "new default value");
                }
                if (upper.contains("DROP DEFAULT")) {
                    return new Verdict(text, false, "drops a default the running version's inserts may rely on");
                }
                if (upper.contains("SET NOT NULL")) {
                    return new Verdict(text, false, "makes a column NOT NULL: the running version may write nulls");
                }
                if (upper.contains(" TYPE ")) {
                    return new Verdict(text, false, "changes a column's type");
                }
                return new Verdict(text, false, "changes an existing column");
            }
            case MODIFY, CHANGE -> {
                return new Verdict(text, false, "changes an existing column's type, name or constraints");
            }
            case RENAME, RENAME_TABLE, RENAME_INDEX, RENAME_KEY, RENAME_CONSTRAINT -> {
                return new Verdict(text, false, "renames what the running version uses by its old name");
            }
            case DROP, DROP_PRIMARY_KEY, DROP_UNIQUE, DROP_FOREIGN_KEY -> {
                return new Verdict(text, false, "drops what the running version may use");
            }
            default -> {
                return new Verdict(text, false, "is not an additive change (" + e.getOperation() + ")");
            }
        }
    }

    private static String withoutConcurrently(String sql) {
        StringBuilder out = new StringBuilder();
        for (String token : sql.split("(?<=\\s)|(?=\\s)")) {
            if (!token.equalsIgnoreCase("CONCURRENTLY")) {
                out.append(token);
            }
        }
        return out.toString();
    }
}
