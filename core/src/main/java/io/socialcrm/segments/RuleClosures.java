package io.socialcrm.segments;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The common shape of segment rules run as plain Java closures instead of through CEL's interpreter:
 * comparisons of numbers ({@code context("soccer") >= 2.0}, {@code influence.score >= 75}), the sums,
 * differences and products of doubles, the scalar variables, boolean constants, {@code !}, {@code &&}
 * and {@code ||}. cel-java interprets a program over its resolver on every evaluation (with the
 * result memoised by input values, building the memo's key was most of a rule's cost); a closure
 * tree reads the profile's fields directly. Anything else (lists, maps, strings, integer
 * arithmetic, whose overflow CEL reports as an error, equality across number types) is left to CEL:
 * {@link #of} returns null and the rule keeps its CEL program. The closures give CEL's result for
 * every input: every scalar variable always has a value, doubles follow IEEE 754 in both (a
 * comparison with NaN is false), integers are compared exactly as long as they are below 2^53 (the
 * integer constants allowed; the integer variables are counts and an hour), and {@code &&} and
 * {@code ||} cannot meet an error. {@code RuleClosuresTest} compares both on every built-in rule and
 * on random profiles.
 */
final class RuleClosures {
    /** Integers are compared as doubles: exact up to this magnitude. */
    private static final long EXACT = 1L << 53;

    private RuleClosures() {
    }

    /** A boolean expression over a view. */
    interface Condition {
        boolean test(ProfileView view);
    }

    /** A numeric expression over a view (integers as doubles, exact below 2^53). */
    private interface Number {
        double value(ProfileView view);
    }

    /** Thrown while translating: the expression is not in the subset. */
    private static final class NotInSubset extends Exception {
        private static final long serialVersionUID = 1L;

        NotInSubset() {
            super(null, null, false, false);
        }
    }

    private static final NotInSubset NOT_IN_SUBSET = new NotInSubset();

    /** Thrown while evaluating: an integer variable beyond 2^53, which a double does not hold exactly (CEL decides). */
    static final class Inexact extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private Inexact() {
            super(null, null, false, false);
        }
    }

    private static final Inexact INEXACT = new Inexact();

    private static double exact(long value) {
        if (value > EXACT || value < -EXACT) {
            throw INEXACT;
        }
        return value;
    }

    /**
     * The rule as a closure, or null when it is not in the subset (CEL evaluates it). The closure may
     * throw {@link Inexact}: CEL evaluates that one call.
     */
    static Condition of(CelAbstractSyntaxTree ast) {
        try {
            return condition(ast, ast.getExpr());
        } catch (NotInSubset e) {
            return null;
        }
    }

    private static Condition condition(CelAbstractSyntaxTree ast, CelExpr expr) throws NotInSubset {
        String variable = variable(ast, expr);
        if (variable != null) {
            return booleanVariable(variable);
        }
        switch (expr.exprKind().getKind()) {
            case CONSTANT -> {
                if (expr.constant().getKind() != CelConstant.Kind.BOOLEAN_VALUE) {
                    throw NOT_IN_SUBSET;
                }
                boolean constant = expr.constant().booleanValue();
                return view -> constant;
            }
            case CALL -> {
                CelExpr.CelCall call = expr.call();
                if (call.target().isPresent()) {
                    throw NOT_IN_SUBSET;
                }
                List<CelExpr> args = call.args();
                switch (call.function()) {
                    case "!_" -> {
                        Condition operand = condition(ast, args.get(0));
                        return view -> !operand.test(view);
                    }
                    case "_&&_" -> {
                        Condition left = condition(ast, args.get(0));
                        Condition right = condition(ast, args.get(1));
                        return view -> left.test(view) && right.test(view);
                    }
                    case "_||_" -> {
                        Condition left = condition(ast, args.get(0));
                        Condition right = condition(ast, args.get(1));
                        return view -> left.test(view) || right.test(view);
                    }
                    case "_<_", "_<=_", "_>_", "_>=_" -> {
                        Number left = number(ast, args.get(0));
                        Number right = number(ast, args.get(1));
                        if (type(ast, args.get(0)).equals(type(ast, args.get(1)))) {
                            return switch (call.function()) {
                                case "_<_" -> view -> left.value(view) < right.value(view);
                                case "_<=_" -> view -> left.value(view) <= right.value(view);
                                case "_>_" -> view -> left.value(view) > right.value(view);
                                default -> view -> left.value(view) >= right.value(view);
                            };
                        }
                        // a double against an integer: CEL orders them as Double.compare does (NaN above
                        // everything, -0.0 below 0), not as the operators on doubles do
                        return switch (call.function()) {
                            case "_<_" -> view -> Double.compare(left.value(view), right.value(view)) < 0;
                            case "_<=_" -> view -> Double.compare(left.value(view), right.value(view)) <= 0;
                            case "_>_" -> view -> Double.compare(left.value(view), right.value(view)) > 0;
                            default -> view -> Double.compare(left.value(view), right.value(view)) >= 0;
                        };
                    }
                    case "_==_", "_!=_" -> {
                        boolean equal = call.function().equals("_==_");
                        CelType type = type(ast, args.get(0));
                        if (!type.equals(type(ast, args.get(1)))) {
                            throw NOT_IN_SUBSET; // across number types CEL's equality is its own
                        }
                        if (type.equals(SimpleType.BOOL)) {
                            Condition left = condition(ast, args.get(0));
                            Condition right = condition(ast, args.get(1));
                            return view -> (left.test(view) == right.test(view)) == equal;
                        }
                        Number left = number(ast, args.get(0));
                        Number right = number(ast, args.get(1));
                        return view -> (left.value(view) == right.value(view)) == equal;
                    }
                    default -> throw NOT_IN_SUBSET;
                }
            }
            default -> throw NOT_IN_SUBSET;
        }
    }

    private static Number number(CelAbstractSyntaxTree ast, CelExpr expr) throws NotInSubset {
        CelType type = type(ast, expr);
        if (!type.equals(SimpleType.DOUBLE) && !type.equals(SimpleType.INT)) {
            throw NOT_IN_SUBSET;
        }
        String variable = variable(ast, expr);
        if (variable != null) {
            return numericVariable(variable);
        }
        switch (expr.exprKind().getKind()) {
            case CONSTANT -> {
                CelConstant constant = expr.constant();
                double value;
                if (constant.getKind() == CelConstant.Kind.DOUBLE_VALUE) {
                    value = constant.doubleValue();
                } else if (constant.getKind() == CelConstant.Kind.INT64_VALUE && Math.abs(constant.int64Value()) <= EXACT) {
                    value = constant.int64Value();
                } else {
                    throw NOT_IN_SUBSET;
                }
                return view -> value;
            }
            case CALL -> {
                CelExpr.CelCall call = expr.call();
                List<CelExpr> args = call.args();
                if (call.target().isEmpty() && call.function().equals(SegmentLanguage.CONTEXT_FUNCTION) && args.size() == 1
                        && args.get(0).exprKind().getKind() == CelExpr.ExprKind.Kind.CONSTANT
                        && args.get(0).constant().getKind() == CelConstant.Kind.STRING_VALUE) {
                    String context = args.get(0).constant().stringValue();
                    return view -> view.context(context);
                }
                if (call.target().isPresent() || !type.equals(SimpleType.DOUBLE)) {
                    throw NOT_IN_SUBSET; // integer arithmetic overflows into an error in CEL
                }
                switch (call.function()) {
                    case "-_" -> {
                        Number operand = number(ast, args.get(0));
                        return view -> -operand.value(view);
                    }
                    case "_+_", "_-_", "_*_" -> {
                        Number left = number(ast, args.get(0));
                        Number right = number(ast, args.get(1));
                        return switch (call.function()) {
                            case "_+_" -> view -> left.value(view) + right.value(view);
                            case "_-_" -> view -> left.value(view) - right.value(view);
                            default -> view -> left.value(view) * right.value(view);
                        };
                    }
                    default -> throw NOT_IN_SUBSET;
                }
            }
            default -> throw NOT_IN_SUBSET;
        }
    }

    private static CelType type(CelAbstractSyntaxTree ast, CelExpr expr) throws NotInSubset {
        Optional<CelType> type = ast.getType(expr.id());
        if (type.isEmpty()) {
            throw NOT_IN_SUBSET;
        }
        return type.get();
    }

    /** The variable of the language {@code expr} reads ({@code influence.score} is a select the checker resolved), or null. */
    private static String variable(CelAbstractSyntaxTree ast, CelExpr expr) {
        Optional<CelReference> reference = ast.getReference(expr.id());
        if (reference.isPresent() && reference.get().overloadIds().isEmpty()
                && SegmentLanguage.VARIABLES.containsKey(reference.get().name())) {
            return reference.get().name();
        }
        return null;
    }

    private static Condition booleanVariable(String name) throws NotInSubset {
        if (name.equals("contactable")) {
            return view -> view.profile().getContactable();
        }
        throw NOT_IN_SUBSET;
    }

    /** The scalar numeric variables, read as {@link ProfileView#find} reads them. */
    private static final Map<String, Number> NUMBERS = Map.ofEntries(
            read("influence.score", view -> view.profile().getInfluence().getScore()),
            read("influence.percentile", view -> view.profile().getInfluence().getPercentile()),
            read("influence.raw", view -> view.profile().getInfluence().getRaw()),
            read("influence.followers", view -> exact(view.profile().getInfluence().getFollowers())),
            read("influence.shares", view -> view.profile().getInfluence().getSharesReceived()),
            read("influence.mentions", view -> view.profile().getInfluence().getMentionsReceived()),
            read("influence.replies", view -> view.profile().getInfluence().getRepliesReceived()),
            read("influence.likes", view -> view.profile().getInfluence().getLikesReceived()),
            read("influence.engagers", view -> view.profile().getInfluence().getDistinctEngagers()),
            read("influence.follows", view -> view.profile().getInfluence().getFollowsReceived()),
            read("influence.momentum", view -> view.profile().getInfluence().getMomentum()),
            read("activity.level", view -> view.profile().getActivityLevel()),
            read("daysSinceActivity", ProfileView::daysSinceActivity),
            read("bestHourOfWeek", view -> view.profile().getBestHourOfWeek() == null ? -1 : view.profile().getBestHourOfWeek()),
            read("accounts", view -> view.profile().getAccounts().size()));

    private static Map.Entry<String, Number> read(String name, Number read) {
        return Map.entry(name, read);
    }

    private static Number numericVariable(String name) throws NotInSubset {
        Number read = NUMBERS.get(name);
        if (read == null) {
            throw NOT_IN_SUBSET;
        }
        return read;
    }
}
