"""Russian for every string the helpers pass through :func:`crm_course.language.tr`.

Keys are the English strings exactly as written in the source; values keep
every ``{field}`` of the key (with its format). Terms follow
``docs/glossary.md`` and the course's fixed list (участник, магазин-партнёр,
кешбэк, оператор поддержки, обращение в службу поддержки, удержание,
пожизненная ценность клиента, отношение рисков, сжатие к среднему...).
Numbers that a string states are written as in the English, because the
Russian notebooks' outputs must state the same numbers; units are Russian
(руб., п. п., нед.).

To add a string: write it in the code as ``tr("...")`` (or ``tr_noop("...")``
where it is kept in a constant), add its Russian here, in the section of its
module, and run ``tests/test_language.py``, which lists what is missing or
unused. The course kit keeps its own strings in ``crm_kit.catalogue_ru``.
"""

# Data for crm_course.language, not an API of its own: the site's reference leaves it out.
__all__: list[str] = []

RU: dict[str, str] = {
    # -- shared words (several modules) ------------------------------------------------------------
    "members": "участники",
    "Members": "Участники",
    "Support agents": "Операторы поддержки",
    "RUB": "руб.",
    # -- concentration -----------------------------------------------------------------------------
    "perfect equality": "полное равенство",
    "Members, from smallest to largest (share)": "Участники, от меньших к большим (доля)",
    "Value they bring (cumulative share)": "Приносимая ими ценность (накопленная доля)",
    "last profitable member": "последний прибыльный участник",
    "first unprofitable member": "первый убыточный участник",
    "Members, from most to least profitable (share)": "Участники, от самых прибыльных к наименее прибыльным (доля)",
    "Cumulative profit (share of total)": "Накопленная прибыль (доля от общей прибыли)",
    # -- segmentation ------------------------------------------------------------------------------
    "segment": "сегмент",
    "cluster": "кластер",
    "Value, low and high quantiles and median": "Значение: нижний и верхний квантили и медиана",
    "revenue": "выручка",
    "profit": "прибыль",
    "Share of the total": "Доля в итоге",
    # -- multilevel --------------------------------------------------------------------------------
    "members with {n} order": "участники с {n} заказом",
    "members with {n} orders": "участники с числом заказов {n}",
    "members with {n}+ orders": "участники с {n} и более заказами",
    "no shrinkage": "без сжатия к среднему",
    "all members' typical value": "типичное значение по всем участникам",
    "Member's own typical value, log scale": "Собственное типичное значение участника, логарифмическая шкала",
    "Shrunken estimate, log scale": "Оценка со сжатием к среднему, логарифмическая шкала",
    # -- panel -------------------------------------------------------------------------------------
    "95% uniform band (Working-Hotelling), average effect":
        "равномерная доверительная полоса 95\u00a0% (Уоркинга — Хотеллинга), средний эффект",
    "95% pointwise band, average effect": "поточечная доверительная полоса 95\u00a0%, средний эффект",
    "interaction model": "модель со взаимодействием",
    "one estimate per bin, at its adopters' mean":
        "отдельная оценка по каждой группе (в точке среднего у её внедривших)",
    "Effect (pp)": "Эффект (п. п.)",
    "Effect by moderator": "Эффект в зависимости от модератора",
    # -- event_study -------------------------------------------------------------------------------
    "planted effect": "заложенный эффект",
    "not-yet-treated": "сравнение с ещё не внедрившими",
    "never-treated": "сравнение с никогда не внедрявшими",
    "twfe": "двусторонние фиксированные эффекты",
    "Years relative to adoption (0 = first year with CRM)": "Годы относительно внедрения (0 — первый год с CRM)",
    "Effect on the outcome": "Эффект на результат",
    "Effect by year relative to adoption": "Эффект по годам относительно внедрения",
    # -- decision: the verdicts of assess_crm_fit --------------------------------------------------
    "Uncertain: a pilot is worth more than it costs (its expected value of information exceeds its cost); "
    "run it before deciding.":
        "Неясно: пилот стоит своих денег (ожидаемая ценность его информации превышает его стоимость); "
        "проведите его, прежде чем принимать решение.",
    "Likely to pay: the expected value of the lift exceeds the yearly cost.":
        "Вероятно, окупится: ожидаемая ценность прироста превышает годовые затраты.",
    "Unlikely to pay: the expected value of the lift falls short of the yearly cost.":
        "Вряд ли окупится: ожидаемая ценность прироста не покрывает годовых затрат.",
    "Lift only: no decision without the money inputs; whether this lift pays depends on customers x margin x "
    "lift against the yearly cost (give customers, margin_per_repeat_customer and annual_cost).":
        "Только прирост: без денежных входных данных решения нет; окупится ли этот прирост, зависит от "
        "произведения «клиенты × маржа × прирост» в сравнении с годовыми затратами (задайте customers, "
        "margin_per_repeat_customer и annual_cost).",
    "Not yet: the firm cannot yet act differently toward different customers, and the expected lift assumes "
    "it can. Build that first.":
        "Пока рано: фирма ещё не может по-разному работать с разными клиентами, а ожидаемый прирост "
        "предполагает, что может. Сначала создайте такую возможность.",
    "Not applicable: a repeat share of {x:.2f} lies outside those of the firms that adopted (each firm's mean "
    "before it adopted: {low:.2f}-{high:.2f}); the panel cannot say what CRM does where customers come back {how}.":
        "Неприменимо: доля повторных покупателей {x:.2f} лежит вне диапазона фирм, внедривших CRM (средняя "
        "доля каждой фирмы до внедрения: {low:.2f}–{high:.2f}); панельные данные не говорят о том, что даёт "
        "CRM там, где клиенты возвращаются {how}.",
    "this often": "так часто",
    "this rarely": "так редко",
    " Caution: only {n} firm(s) that adopted had a repeat share (mean before adopting) within {within:g} of "
    "this.":
        " Предупреждение: внедривших CRM фирм с долей повторных покупателей (в среднем до внедрения) в "
        "пределах {within:g} от этого значения всего {n}.",
    " Caution: heterogeneity outside that of the firms that adopted ({low:.2f}-{high:.2f}); the lift is "
    "extrapolated along the line.":
        " Предупреждение: неоднородность клиентов лежит вне диапазона фирм, внедривших CRM "
        "({low:.2f}–{high:.2f}); прирост получен экстраполяцией прямой.",
    " Caution: only {n} firm(s) that adopted had heterogeneity within {within:g} of this; the lift rests on "
    "the straight line.":
        " Предупреждение: внедривших CRM фирм с неоднородностью в пределах {within:g} от этого значения всего "
        "{n}; оценка прироста держится на прямой модели.",
    # -- finance: the inputs and costs of the programme model ---------------------------------------
    "active members the programme reaches each year": "активные участники, которых программа охватывает за год",
    "net margin per active member per year (RUB)": "чистая маржа на активного участника в год (руб.)",
    "share of active members still active a year later": "доля активных участников, остающихся активными "
        "через год",
    "personalised campaigns sent per year": "число персонализированных кампаний в год",
    "share of active members targeted in each campaign": "доля активных участников, которым адресована каждая "
        "кампания",
    "extra margin net of offer cost per targeted member per campaign (RUB)":
        "дополнительная маржа за вычетом стоимости предложения на одного адресата за кампанию (руб.)",
    "share of active members who contact support in a year":
        "доля активных участников, обращающихся в службу поддержки за год",
    "rise in agents' engagement score bought by the people investment (points)":
        "рост оценки вовлечённости операторов поддержки благодаря инвестициям в персонал (баллы)",
    "CSAT points per engagement point": "баллы CSAT на балл вовлечённости",
    "change in the log hazard of lapsing per CSAT point (Cox coefficient)":
        "изменение логарифма риска ухода на балл CSAT (коэффициент модели Кокса)",
    "one-off investment in processes and systems, paid at the start (RUB)":
        "единовременные инвестиции в процессы и системы в начале программы (руб.)",
    "yearly cost of running the new processes (RUB)": "годовые затраты на работу новых процессов (руб.)",
    "yearly cost of the people investment: training, pay, empowerment (RUB)":
        "годовые затраты на инвестиции в персонал: обучение, оплата труда, делегирование полномочий (руб.)",
    # -- finance: why there is no break-even ---------------------------------------------------------
    "parameter: no value of {name!r} brings the NPV to zero: ":
        "parameter: ни при каком значении {name!r} NPV не обращается в ноль: ",
    "{n} year": "{n} г.",
    "{n} years": "{n} г.",
    "negative": "отрицательную",
    "zero": "нулевую",
    "the programme loses money at any number of members, because each member adds a {kind} present value "
    "({total:+,.2f} RUB over {years}: personalisation {personalisation:+,.2f}, retention {retention:+,.2f}) "
    "while the costs (present value {costs:,.0f} RUB) do not shrink with fewer members. Raise what each member "
    "brings (e.g. campaign_lift) before asking how many members are needed.":
        "программа убыточна при любом числе участников, так как каждый участник даёт {kind} приведённую "
        "стоимость ({total:+,.2f} руб. за {years}: персонализация {personalisation:+,.2f}, удержание "
        "{retention:+,.2f}), а затраты (приведённая стоимость {costs:,.0f} руб.) с числом участников не "
        "уменьшаются. Прежде чем спрашивать, сколько нужно участников, увеличьте то, что приносит каждый "
        "(например, campaign_lift).",
    "the programme loses money even at zero cost, because its benefits are not positive (present value "
    "{benefits:+,.0f} RUB over {years}); no cost the programme could bear exists.":
        "программа убыточна даже при нулевых затратах, так как её выгоды не положительны (приведённая "
        "стоимость {benefits:+,.0f} руб. за {years}); никаких затрат программа окупить не может.",
    "the programme's costs are zero, so it makes money (present value {benefits:,.0f} RUB over {years}) "
    "whatever multiple of them it bears.":
        "затраты программы равны нулю, поэтому она прибыльна (приведённая стоимость {benefits:,.0f} руб. за "
        "{years}), во сколько бы раз их ни увеличить.",
    "the NPV does not depend on it, because no member is reached (members, targeted_share or "
    "campaigns_per_year is zero); the NPV is {npv:+,.0f} RUB at any value.":
        "NPV от него не зависит, так как программа не охватывает ни одного участника (members, targeted_share "
        "или campaigns_per_year равно нулю); при любом его значении NPV составляет {npv:+,.0f} руб.",
    "the NPV does not change sign between {low:.3g} and {high:.3g} (NPV {at_low:+,.0f} to {at_high:+,.0f} RUB).":
        "NPV не меняет знака между {low:.3g} и {high:.3g} (NPV от {at_low:+,.0f} до {at_high:+,.0f} руб.).",
    "loses money": "убыточна",
    "makes money": "прибыльна",
    "the programme {verdict} at every value of it from {low:.3g} to {high:.3g} (NPV from {at_low:+,.0f} to "
    "{at_high:+,.0f} RUB over {years}), with the other inputs at their estimates; changing {name!r} alone "
    "cannot make it break even.":
        "программа {verdict} при любом его значении от {low:.3g} до {high:.3g} (NPV от {at_low:+,.0f} до "
        "{at_high:+,.0f} руб. за {years}), если остальные входные данные равны их оценкам; одним изменением "
        "{name!r} безубыточности не достичь.",
    # -- kopilka.board: where each input of the board case comes from --------------------------------
    "ch. 5: active members in the last 52 weeks (relationship_value) x base_factor":
        "гл. 5: активные участники за последние 52 недели (relationship_value) × base_factor",
    "ch. 5: mean net margin after support costs (relationship_value), SE of the mean":
        "гл. 5: средняя чистая маржа после затрат на поддержку (relationship_value), стандартная ошибка среднего",
    "ch. 5: year-on-year retention (retention_rate), binomial SE":
        "гл. 5: годовой коэффициент удержания (retention_rate), биномиальная стандартная ошибка",
    "assumption": "предпосылка",
    "ch. 3: share of the measured members with positive expected profit (uplift rule)":
        "гл. 3: доля измеренных участников с положительной ожидаемой прибылью (правило по аплифту)",
    "ch. 3: measured profit per targeted member net of support contacts, randomised arms (targeting_value)":
        "гл. 3: измеренная прибыль на одного адресата за вычетом затрат на обращения в службу поддержки, "
        "рандомизированные группы (targeting_value)",
    "ch. 5: share of active members with a support contact in the last 52 weeks":
        "гл. 5: доля активных участников, обращавшихся в службу поддержки за последние 52 недели",
    "the staff package, applied once (see csat_per_engagement)":
        "кадровый пакет, принятый один раз (см. csat_per_engagement)",
    "ch. 4: CSAT gain of the whole package (csat_ols, total effects, clustered by agent)":
        "гл. 4: прирост CSAT от всего кадрового пакета (csat_ols, полные эффекты, кластеризация по операторам)",
    "ch. 5: Cox model of lapsing after the first contact (model-based SE)":
        "гл. 5: модель Кокса для времени до ухода после первого обращения (модельная стандартная ошибка)",
    "the staff package as one unit (1 = adopted)": "кадровый пакет как единое целое (1 — пакет принят)",
    "CSAT points the staff package adds to an average contact":
        "баллы CSAT, которые кадровый пакет добавляет к среднему обращению",
    # -- kopilka.diagrams and the table titles of world.schema ---------------------------------------
    "merchants": "магазины-партнёры",
    "orders": "заказы",
    "support": "поддержка",
    "other": "другое",
    "+ {n} other column": "+ ещё столбцов: {n}",
    "+ {n} other columns": "+ ещё столбцов: {n}",
    "How to read it": "Как читать схему",
    "PK   primary key: one value per row": "PK   первичный ключ: одно значение на строку",
    "FK   foreign key: points to a row": "FK   внешний ключ: ссылается на строку",
    "     of another table": "     другой таблицы",
    "──▶  from many rows to one:": "──▶  от многих строк к одной:",
    "     many orders, one member": "     много заказов — один участник",
    "tables about": "тема таблиц",
    "Kopilka's data model: {n} tables and the keys that join them":
        "Модель данных Копилки: таблицы ({n}) и связывающие их ключи",
    "Member": "Участник",
    "shops online": "покупает онлайн",
    "Kopilka": "Копилка",
    "cashback service": "кешбэк-сервис",
    "Partner merchant": "Магазин-партнёр",
    "online store": "интернет-магазин",
    "① order, placed through Kopilka's link": "① заказ по ссылке Копилки",
    "the member pays the merchant the order value (RUB)": "участник платит магазину стоимость заказа (руб.)",
    "② commission": "② комиссия",
    "share of the order value": "доля стоимости заказа",
    "③ cashback": "③ кешбэк",
    "part of the commission": "часть комиссии",
    "Kopilka's staff": "сотрудники Копилки",
    "④ support contacts": "④ обращения в поддержку",
    "missing cashback, declined orders, payouts": "пропавший кешбэк, отклонённые заказы, выплаты",
    "While its cashback is pending, a new member\ncannot yet judge the core service, and judges\n"
    "Kopilka by how its support staff treat them.":
        "Пока кешбэк ждёт подтверждения, новый участник\nещё не может оценить основную услугу и судит\n"
        "о Копилке по тому, как с ним обходится поддержка.",
    "The life of one cashback": "Путь одного кешбэка",
    "pending": "в ожидании",
    "merchant not yet decided": "магазин ещё не решил",
    "confirmed": "подтверждён",
    "Kopilka earns the commission": "Копилка получает комиссию",
    "paid out": "выплачен",
    "cash reaches the member": "деньги поступают участнику",
    "declined": "отклонён",
    "no commission, no cashback": "ни комиссии, ни кешбэка",
    "merchant confirms": "магазин подтверждает",
    "{lo}–{hi} weeks later": "через {lo}–{hi} нед.",
    "or declines": "или отклоняет",
    "Kopilka pays out": "Копилка выплачивает",
    "Kopilka's business model: who pays whom": "Бизнес-модель Копилки: кто кому платит",
    "relationship quality": "качество отношений",
    "meetings": "встречи",
    "growth": "рост",
    "Confounder: quality drives both (the simulation's story)":
        "Смешивающий фактор: качество влияет на то и другое\n"
        "(так устроена симуляция)",
    "Mediator: meetings build the relationship": "Медиатор: встречи строят отношения",
    "Partner merchants": "Магазины-партнёры",
    "Orders": "Заказы",
    "Merchant panel": "Панельные данные магазинов-партнёров",
    "Offer experiment": "Эксперимент с предложениями",
    "Support contacts": "Обращения в службу поддержки",
    "Key accounts": "Ключевые клиенты",
    # -- proportional_hazards ----------------------------------------------------------------------
    "scaled Schoenfeld residual": "масштабированный остаток Шёнфельда",
    "smoothed (LOWESS)": "сглаживание (LOWESS)",
    "estimated log hazard ratio": "оценка логарифма отношения рисков",
    "rank of event time": "ранг времени события",
    "1 - Kaplan-Meier": "1 − оценка Каплана — Мейера",
    "time": "время",
    "log time": "логарифм времени",
    "effect of {term} (log hazard ratio)": "эффект {term} (логарифм отношения рисков)",
    "Is the effect of {term} constant over time? (p = {p:.2g})": "Постоянен ли эффект {term} во времени? (p = {p:.2g})",
    # -- uplift_metrics ----------------------------------------------------------------------------
    "score": "оценка",
    "random targeting": "случайный таргетинг",
    "Customers targeted, in order of the score (%)": "Доля адресатов в порядке оценки (%)",
    "Extra outcomes per treated customer": "Дополнительные отклики на клиента тестовой группы",
    "Qini curve": "Кривая Qini",
    # -- clv.plots ---------------------------------------------------------------------------------
    "days": "в днях",
    "weeks": "в неделях",
    "months": "в месяцах",
    "years": "в годах",
    "periods": "в периодах",
    "Actual": "Факт",
    "Model": "Модель",
    "Repeat purchases in the calibration period": "Повторные покупки в калибровочном периоде",
    "Fit of {model}: members by repeat purchases (chi-square {chi2:.1f}, {df} d.f.)":
        "Согласие модели {model} с данными: участники по числу\n"
        "повторных покупок (хи-квадрат {chi2:.1f}, степеней свободы: {df})",
    "Mean purchases in the holdout period": "Среднее число покупок в отложенном периоде",
    "Conditional expectations of {model}: calibration against holdout":
        "Условные ожидания модели {model}: калибровочный период в сравнении с отложенным",
    "End of calibration": "Конец калибровочного периода",
    "Cumulative repeat purchases": "Повторные покупки нарастающим итогом",
    "Repeat purchases in the week": "Повторные покупки за неделю",
    "Week ending": "Неделя (дата окончания)",
    "Tracking of {model}: {kind}, actual against model":
        "Отслеживание покупок по модели {model}:\n{kind}, факт в сравнении с моделью",
    "Recency: time of the last repeat purchase ({unit} after the first)":
        "Давность: время последней повторной покупки после первой ({unit})",
    "Frequency: repeat purchases": "Частота: число повторных покупок",
    "Expected purchases in the next {t:g} {unit}": "Ожидаемое число покупок за следующий период {t:g} ({unit})",
    "Expected purchases by frequency and recency ({model}, T = {T:g} {unit})":
        "Ожидаемое число покупок по частоте и давности ({model}, T = {T:g}, {unit})",
    "Probability alive": "Вероятность того, что клиент активен",
    "Probability alive by frequency and recency ({model}, T = {T:g} {unit})":
        "Вероятность того, что клиент активен,\n"
        "по частоте и давности ({model}, T = {T:g}, {unit})",
    "Renewal periods ({unit}) since acquisition": "Периоды продления с момента привлечения ({unit})",
    "Customers still active (% of cohort)": "Клиенты, остающиеся активными (% когорты)",
    "Survival of a cohort: shifted-beta-geometric model, gamma {gamma:.3f}, delta {delta:.3f}":
        "Выживаемость когорты: сдвинутая бета-геометрическая модель, гамма {gamma:.3f}, дельта {delta:.3f}",
    # -- tables: regression tables -----------------------------------------------------------------
    "Events": "Число событий",
    "Adjusted R²": "Скорректированный R²",
    "Adjusted $R^2$": "Скорректированный $R^2$",
    "Pseudo R² (McFadden)": "Псевдо-R² (Макфаддена)",
    "Pseudo $R^2$ (McFadden)": "Псевдо-$R^2$ (Макфаддена)",
    "Log-likelihood": "Логарифм правдоподобия",
    "Intercept": "Константа",
    "n/a": "н/д",
    "clustered{variant} ({n} clusters)": "кластеризованные{variant} (кластеров: {n})",
    "clustered{variant}": "кластеризованные{variant}",
    " and ": " и ",
    " by {names}": " по {names}",
    "two-way clustered{by}{variant} ({counts} clusters)":
        "кластеризованные в двух измерениях{by}{variant} (кластеров: {counts})",
    "clustered{by}{variant} ({n} clusters)": "кластеризованные{by}{variant} (кластеров: {n})",
    "model-based, {method} ({n} groups)": "модельные, {method} (групп: {n})",
    "model-based (partial likelihood)": "модельные (частичное правдоподобие)",
    "robust, clustered ({n} clusters)": "робастные, кластеризованные (кластеров: {n})",
    "as reported by statsmodels": "в том виде, в каком их выдаёт statsmodels",
    "nonrobust": "обычные (неробастные)",
    "{kind} (heteroskedasticity-robust)": "{kind} (устойчивые к гетероскедастичности)",
    "HAC ({lags} lags)": "HAC (лагов: {lags})",
    "{header}: statsmodels returned no standard error for {terms} (n/a).":
        "{header}: statsmodels не вернул стандартную ошибку для {terms} (н/д).",
    "{header}: the log-likelihood is the restricted (REML) one; compare fits with different fixed effects only "
    "after refitting with reml=False.":
        "{header}: логарифм правдоподобия — ограниченный (REML); модели с разными фиксированными эффектами "
        "сравнивайте только после переоценки с reml=False.",
    "{header}: coefficients are log hazard ratios; the log-likelihood is the log partial likelihood.":
        "{header}: коэффициенты — логарифмы отношений рисков; логарифм правдоподобия — логарифм частичного "
        "правдоподобия.",
    "{header}: of the thresholds, the first is a cut-point and the others are log increments between successive "
    "cut-points (statsmodels' parameterisation).":
        "{header}: из пороговых параметров первый — точка отсечения, остальные — логарифмы приращений между "
        "соседними точками отсечения (параметризация statsmodels).",
    "Standard errors in parentheses": "Стандартные ошибки — в круглых скобках",
    "{level:g}% confidence intervals in brackets, from standard errors":
        "{level:g}-процентные доверительные интервалы (в квадратных скобках) рассчитаны по стандартным ошибкам",
    " in every column": " во всех столбцах",
}
