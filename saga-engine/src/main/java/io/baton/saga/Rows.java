package io.baton.saga;

/** The placeholders of a many-row insert, so that a poll's rows go to PostgreSQL in one statement. */
public final class Rows {

    private Rows() {}

    /** {@code (?1, ?2), (?3, ?4)} for two rows of two columns: parameter {@code row * columns + column + 1}. */
    public static String placeholders(int rows, int columns) {
        StringBuilder sql = new StringBuilder();
        for (int row = 0; row < rows; row++) {
            sql.append(row == 0 ? "(" : ", (");
            for (int column = 1; column <= columns; column++) {
                sql.append(column == 1 ? "?" : ", ?").append(row * columns + column);
            }
            sql.append(')');
        }
        return sql.toString();
    }
}
