"""Russian for every hint and description of the self-checked exercises (the answer key's).

The English is written beside each exercise in ``chNN.py`` (``what``,
``hints``, each :class:`~crm_kit.exercises.Mistake`'s hint, ``label_hints``)
and is the key here. :mod:`crm_kit.answers` adds these entries to
:func:`crm_course.language.tr`, so the lecturer's self-checks and the grader
speak Russian after ``set_language("ru")``. The student kit never carries
this module: the kit builder seals each exercise's Russian beside its English
in the world's ``selfchecks.json`` (:mod:`crm_kit.sealed`).

Like the English, a hint names the slip, never the answer or the direction of
the error. Numbers in prose follow Russian style (``0,012``, ``200 000``,
``15 %``); code keeps Python's (``send_cost=1.0``). ``tests/test_language.py``
fails on a hint without its Russian here and on an entry no exercise uses.
"""

__all__ = ["HINTS_RU"]

HINTS_RU: dict[str, str] = {
    # -- 0.1 -------------------------------------------------------------------------------------------------
    "the number of members who ordered (a whole number)":
        "число участников, сделавших заказ (целое число)",
    "Count the different customer_id values of the transactions table.":
        "Посчитайте число различных значений customer_id в таблице transactions.",
    "Nearly: count each member once, with nunique() on the customer_id column of transactions.":
        "Почти: считайте каждого участника один раз — nunique() по столбцу customer_id таблицы transactions.",
    "That is the number of orders: a member who ordered twice has two rows in transactions. Count each "
    "member once.":
        "Это число заказов: у участника, сделавшего два заказа, в transactions две строки. Считайте каждого "
        "участника один раз.",
    "That counts every member, also those who never ordered: count the members who appear in "
    "transactions.":
        "Так посчитаны все участники, включая тех, кто ни разу не заказывал: считайте участников, которые "
        "есть в transactions.",
    # -- 0.2 -------------------------------------------------------------------------------------------------
    "the share of members who joined through a referral link (a number between 0 and 1)":
        "доля участников, пришедших по реферальной ссылке (число от 0 до 1)",
    "Divide the referral members (channel 'referral') by all members, not by another channel's count.":
        "Разделите число участников, пришедших по реферальной ссылке (канал 'referral'), на число всех "
        "участников, а не на число участников другого канала.",
    "Well done: value_counts(normalize=True) gives every channel's share at once.":
        "Отлично: value_counts(normalize=True) сразу даёт долю каждого канала.",
    "That is the number of referral members: divide it by the number of all members.":
        "Это число участников из канала 'referral': разделите его на число всех участников.",
    # -- 0.3 -------------------------------------------------------------------------------------------------
    "an average order value in RUB (a single number)":
        "средняя стоимость заказа в рублях (одно число)",
    "Nearly: keep only the orders of members whose channel is 'referral', and average the order_value "
    "column over all of those orders, whatever their status.":
        "Почти: оставьте только заказы участников с каналом 'referral' и усредните столбец order_value по "
        "всем этим заказам, независимо от их статуса.",
    "Average order_value (not cashback or commission) over the referral members' orders, one value per "
    "order.":
        "Усредните order_value (не cashback и не commission) по заказам участников из канала 'referral', по "
        "одному значению на заказ.",
    "Well done. Compare it with the average over all orders printed in the tour.":
        "Отлично. Сравните его со средним по всем заказам, которое выводилось при знакомстве с pandas.",
    "That is the average over every member's orders: keep only the orders of members whose channel is "
    "'referral'.":
        "Это среднее по заказам всех участников: оставьте только заказы участников с каналом 'referral'.",
    "That averages each member's total: average the value of single orders (order_value) instead.":
        "Так усреднены суммы по участникам: усредните стоимость отдельных заказов (order_value).",
    # -- 0.4 -------------------------------------------------------------------------------------------------
    "a total amount of cashback in RUB (a single number)":
        "общая сумма кешбэка в рублях (одно число)",
    "Nearly: keep every order dated from 1 January to 31 December 2024, whatever its status, and add up "
    "the cashback column.":
        "Почти: оставьте все заказы, датированные периодом с 1 января по 31 декабря 2024 г., независимо от их "
        "статуса, и сложите столбец cashback.",
    "Keep the orders placed in 2024 (any status) and add up their cashback column.":
        "Оставьте заказы, сделанные в 2024 г. (с любым статусом), и сложите их столбец cashback.",
    "That adds up order_value: add up the cashback column instead.":
        "Так сложен столбец order_value: сложите вместо него столбец cashback.",
    "That is the average cashback of an order: add the column up.":
        "Это средний кешбэк на заказ: сложите столбец.",
    "That counts every year: keep only the orders placed in 2024.":
        "Так учтены все годы: оставьте только заказы 2024 г.",
    "That keeps only confirmed orders: keep every order of 2024, pending ones too.":
        "Так оставлены только подтверждённые заказы: оставьте все заказы 2024 г., в том числе ожидающие "
        "подтверждения.",
    # -- 1.1 -------------------------------------------------------------------------------------------------
    "a Gini coefficient (a number between 0 and 1)":
        "коэффициент Джини (число от 0 до 1)",
    "Sort the buyers' revenue ascending, add it up into cumulative shares starting at 0, pair them with "
    "the member shares 0, 1/n, ..., 1, and take 1 - 2 x the trapezoid area; concentration.gini should "
    "agree.":
        "Отсортируйте выручку покупателей по возрастанию, рассчитайте накопленные доли, начиная с 0, "
        "сопоставьте их с долями участников 0, 1/n, ..., 1 и возьмите 1 − 2 × (площадь по методу трапеций); "
        "результат concentration.gini должен совпасть.",
    "Well done: members who never ordered make revenue look more unequal than it is among buyers.":
        "Отлично: из-за участников, ни разу не делавших заказов, выручка выглядит распределённой "
        "неравномернее, чем среди покупателей.",
    "That is the Gini coefficient of all members: keep only the members with at least one order before "
    "sorting.":
        "Это коэффициент Джини по всем участникам: перед сортировкой оставьте только участников хотя бы с "
        "одним заказом.",
    "That is the Gini coefficient of single orders: use member revenue (one value per member).":
        "Это коэффициент Джини по отдельным заказам: используйте выручку участника (одно значение на "
        "участника).",
    "Your Lorenz curve lies above the diagonal: sort the revenue from the smallest to the largest before "
    "adding it up.":
        "Ваша кривая Лоренца лежит выше диагонали: перед накоплением отсортируйте выручку от меньшей к "
        "большей.",
    "That is the area under the Lorenz curve: the Gini coefficient is one minus twice that area.":
        "Это площадь под кривой Лоренца: коэффициент Джини — это единица минус удвоенная площадь под ней.",
    # -- 1.2 -------------------------------------------------------------------------------------------------
    "the share of all members who are unprofitable (a number between 0 and 1)":
        "доля убыточных участников среди всех участников (число от 0 до 1)",
    "Profit is the sum of commission minus cashback over a member's orders, minus 120 RUB times their "
    "contacts; compare your table with member_value(..., cost_per_contact=120) row by row.":
        "Прибыль — это сумма комиссии за вычетом кешбэка по заказам участника минус 120 руб., умноженные на "
        "число его обращений; сравните свою таблицу с member_value(..., cost_per_contact=120) построчно.",
    "That is the share at the fully loaded 180 RUB: charge 120 RUB per contact.":
        "Это доля при полной себестоимости обращения в 180 руб.: считайте 120 руб. за обращение.",
    "That divides by the buyers: every member of customers, including those who never ordered, is in the "
    "base.":
        "Здесь деление на число покупателей: в базу входят все участники из customers, включая тех, кто ни "
        "разу не заказывал.",
    "That counts members with zero profit too (most of them never ordered): count profit strictly below "
    "zero.":
        "Так учтены и участники с нулевой прибылью (большинство из них ни разу не заказывали): считайте "
        "прибыль строго ниже нуля.",
    # -- 1.3 -------------------------------------------------------------------------------------------------
    "a change in 2024 profit in RUB (one number, negative for a fall)":
        "изменение прибыли 2024 г. в рублях (одно число, отрицательное при снижении)",
    "Build each member's 2023 profit at 180 RUB from 2023 orders and 2023 contacts only, and take the "
    "members below zero. Closing their accounts on 1 January 2024 loses their 2024 margin and saves 60 "
    "RUB for each of their 2024 contacts; the change is the saving minus the margin. A common slip is to "
    "select members on profit over both years.":
        "Рассчитайте прибыль каждого участника за 2023 г. при 180 руб. за обращение только по заказам и "
        "обращениям 2023 г. и возьмите участников ниже нуля. Закрыв их счета 1 января 2024 г., Копилка "
        "теряет их маржу за 2024 г. и экономит 60 руб. на каждом их обращении 2024 г.; изменение — это "
        "экономия минус маржа. Частая ошибка — отбирать участников по прибыли за оба года.",
    "That judges the members on 2023, the year they were picked for being unprofitable: hindsight. "
    "Closing on 1 January 2024 changes 2024, so use their 2024 margin and 2024 contacts.":
        "Так участники оценены по 2023 г. — году, за убыточность в котором их и отобрали: это взгляд задним "
        "числом. Закрытие 1 января 2024 г. меняет 2024 г., поэтому используйте их маржу и обращения 2024 г.",
    "That is the finance team's figure: their 2023 losses at 180 RUB. Judge the decision on 2024, and "
    "count only 60 RUB of a contact as saved.":
        "Это цифра финансового отдела: их убытки 2023 г. при 180 руб. за обращение. Оценивайте решение по "
        "2024 г. и считайте сэкономленными только 60 руб. с обращения.",
    "That counts the whole 180 RUB of every 2024 contact as saved. Only 60 RUB of a contact goes away "
    "with the member.":
        "Так сэкономленными считаются все 180 руб. каждого обращения 2024 г. Вместе с участником исчезают "
        "только 60 руб. стоимости обращения.",
    "That is the 2024 margin the members take with them: closing their accounts also saves the avoidable "
    "60 RUB of each of their 2024 contacts.":
        "Это маржа 2024 г., которую участники уносят с собой: закрытие их счетов ещё и экономит избегаемые "
        "60 руб. на каждом их обращении 2024 г.",
    "That uses 90 RUB per contact: the exercise assumes 60 RUB is avoidable.":
        "Здесь взято 90 руб. за обращение: в упражнении избегаемыми считаются 60 руб.",
    "That selects and judges the members on the same two years. Select on 2023 profit alone, then judge "
    "on 2024.":
        "Здесь участники отобраны и оценены по одним и тем же двум годам. Отбирайте только по прибыли 2023 "
        "г., а оценивайте по 2024 г.",
    # -- 1.4 -------------------------------------------------------------------------------------------------
    "the number of members (a whole number)":
        "число участников (целое число)",
    "Join the RFM table to the member value table on customer_id, then count the members who are both "
    "Champions and have profit below zero.":
        "Соедините RFM-таблицу с таблицей ценности участников по customer_id, затем посчитайте участников, "
        "которые одновременно входят в сегмент Champions и имеют прибыль ниже нуля.",
    "That counts every Champion: count only the Champions with negative profit.":
        "Так посчитаны все «чемпионы» (Champions): считайте только тех из них, у кого прибыль отрицательна.",
    "That counts every unprofitable member: count only those in the Champions segment.":
        "Так посчитаны все убыточные участники: считайте только тех, кто в сегменте Champions.",
    # -- 1.5 -------------------------------------------------------------------------------------------------
    "a typical order in RUB":
        "типичный заказ в рублях",
    "Mean of log(order_value) over the member's orders; w = n x vc_between / (n x vc_between + "
    "vc_within); shrunken log mean = mu + w x (own log mean - mu); exp of it. The member's row in shrunk "
    "should agree.":
        "Среднее log(order_value) по заказам участника; w = n × vc_between / (n × vc_between + vc_within); "
        "сжатое среднее логарифмов = mu + w × (собственное среднее логарифмов − mu); затем exp. Строка этого "
        "участника в shrunk должна совпасть.",
    "That is the member's own typical order, not shrunk: pull it towards the all-member mean with the "
    "weight n x between / (n x between + within).":
        "Это собственный типичный заказ участника без сжатия: сдвиньте его к среднему по всем участникам с "
        "весом n × between / (n × between + within).",
    "The weights are swapped: the member's own mean gets w = n x between / (n x between + within), the "
    "all-member mean 1 - w.":
        "Веса перепутаны: собственное среднее участника получает w = n × between / (n × between + within), "
        "среднее по всем участникам — 1 − w.",
    "That uses the weight of one order (the ICC): this member has three, so n = 3.":
        "Здесь взят вес одного заказа (ICC): у этого участника их три, так что n = 3.",
    "That shrinks the average order in roubles: the model is on the log scale, so shrink the mean of the "
    "logs and take exp at the end.":
        "Так к среднему сжат средний заказ в рублях: модель построена в логарифмах, поэтому сжимайте среднее "
        "логарифмов и в конце возьмите exp.",
    # -- 1.7 -------------------------------------------------------------------------------------------------
    "a share of 2024 revenue (a number between 0 and 1)":
        "доля выручки 2024 г. (число от 0 до 1)",
    "Members who joined between 2023-04-01 and 2023-06-30, with 0 for a year without orders; the top "
    "ceil(0.1 n) by spend_2023; their spend_2024 summed, divided by the cohort's total spend_2024. "
    "holdout_pareto should agree.":
        "Участники, присоединившиеся с 2023-04-01 по 2023-06-30 (за год без заказов — 0); ceil(0.1 n) "
        "участников с наибольшим spend_2023; сумма их spend_2024, делённая на общий spend_2024 когорты. "
        "Результат holdout_pareto должен совпасть.",
    "That is the top group's share of 2023 revenue, the year that chose them: compute the same members' "
    "share of 2024 revenue.":
        "Это доля верхней группы в выручке 2023 г. — года, по которому её отобрали: посчитайте долю тех же "
        "участников в выручке 2024 г.",
    "That ranks the members by 2024 spend: keep the ranking by 2023 spend and follow those members into "
    "2024.":
        "Здесь участники ранжированы по тратам 2024 г.: сохраните ранжирование по тратам 2023 г. и проследите "
        "за этими участниками в 2024 г.",
    "That is the January-March cohort of section 3.2: take the members who joined from April to June "
    "2023.":
        "Это когорта января–марта из раздела 3.2: возьмите участников, присоединившихся с апреля по июнь 2023 "
        "г.",
    "That ranks only the members who ordered in 2023: keep every member of the cohort in the base, so "
    "the top 10% is a tenth of all of them.":
        "Здесь ранжированы только участники, заказывавшие в 2023 г.: оставьте в базе всех участников когорты, "
        "чтобы верхние 10\u00a0% были десятой частью их всех.",
    # -- 2.1 -------------------------------------------------------------------------------------------------
    "a difference in employees (a single number)":
        "разность в числе сотрудников (одно число)",
    "Take one row per merchant, then subtract the never-adopters' median number of employees from the "
    "adopters' median.":
        "Возьмите по одной строке на магазин, затем вычтите медианное число сотрудников у магазинов, никогда "
        "не внедрявших CRM, из медианы у внедривших.",
    "That is the difference the other way round: subtract the never-adopters' value from the adopters'.":
        "Это разность в обратном порядке: вычтите значение для никогда не внедрявших из значения для "
        "внедривших.",
    "That compares means: use the median of each group.":
        "Здесь сравниваются средние: возьмите медиану каждой группы.",
    "That counts each merchant once a year: take one row per merchant first (group by merchant_id).":
        "Здесь каждый магазин учтён по разу за каждый год: сначала возьмите по одной строке на магазин "
        "(сгруппируйте по merchant_id).",
    # -- 2.2 -------------------------------------------------------------------------------------------------
    "a difference in percentage points (a single number)":
        "разность в процентных пунктах (одно число)",
    "Compare the mean repeat rate in 2015 of the merchants that adopted at any time with that of those "
    "that never did. Give the answer in percentage points: a difference in shares of 0.012 is 1.2 points.":
        "Сравните среднюю долю повторных покупателей в 2015 г. у магазинов, когда-либо внедривших CRM, и у "
        "никогда не внедрявших. Дайте ответ в процентных пунктах: разность долей 0,012 — это "
        "1,2\u00a0п.\u00a0п.",
    "That is a difference in shares: give it in percentage points (times 100).":
        "Это разность долей: дайте её в процентных пунктах (умножьте на 100).",
    "That uses every year: keep 2015 only, when no merchant had CRM yet.":
        "Здесь взяты все годы: оставьте только 2015 г., когда CRM ещё не было ни у одного магазина.",
    # -- 2.3 -------------------------------------------------------------------------------------------------
    "a difference in mean repeat rates, in percentage points (a single number)":
        "разность средних долей повторных покупателей, в процентных пунктах (одно число)",
    "Keep the rows of 2019, split them by crm_active, and subtract the mean repeat_rate of the merchants "
    "without CRM from that of those with it. Give the answer in percentage points: a difference in "
    "shares of 0.012 is 1.2 points.":
        "Оставьте строки 2019 г., разделите их по crm_active и вычтите средний repeat_rate магазинов без CRM "
        "из среднего у магазинов с CRM. Дайте ответ в процентных пунктах: разность долей 0,012 — это "
        "1,2\u00a0п.\u00a0п.",
    "That splits by whether a merchant ever adopted: the merchants that adopted after 2019 had no CRM "
    "yet in 2019. Split by crm_active.":
        "Здесь разделение по тому, внедрял ли магазин CRM когда-либо: у магазинов, внедривших CRM после 2019 "
        "г., в 2019 г. её ещё не было. Разделите по crm_active.",
    "That is the 2024 cross-section: keep the 2019 rows.":
        "Это пространственная выборка за 2024 г.: оставьте строки 2019 г.",
    "That is the two-way fixed-effects estimate: compare the 2019 means only.":
        "Это оценка с двусторонними фиксированными эффектами: сравните только средние 2019 г.",
    # -- 2.4 -------------------------------------------------------------------------------------------------
    "a difference-in-differences in percentage points (a single number)":
        "«разность разностей» в процентных пунктах (одно число)",
    "Four means: 2018 adopters and never-adopters, in 2017 and in 2018. Subtract 2017 from 2018 within "
    "each group, then the never-adopters' change from the adopters'. Give the answer in percentage "
    "points: a difference in shares of 0.012 is 1.2 points.":
        "Четыре средних: внедрившие CRM в 2018 г. и никогда не внедрявшие, в 2017 и в 2018 г. Внутри каждой "
        "группы вычтите 2017 г. из 2018 г., затем изменение у никогда не внедрявших — из изменения у "
        "внедривших. Дайте ответ в процентных пунктах: разность долей 0,012 — это 1,2\u00a0п.\u00a0п.",
    "That is the difference the other way round: the adopters' change minus the never-adopters' change.":
        "Это разность в обратном порядке: изменение у внедривших минус изменение у никогда не внедрявших.",
    "That is the adopters' own change from 2017 to 2018: subtract the never-adopters' change over the "
    "same years, which CRM did not cause.":
        "Это собственное изменение у внедривших с 2017 по 2018 г.: вычтите изменение у никогда не внедрявших "
        "за те же годы — его вызвала не CRM.",
    "That compares 2018 levels, which include the adopters' head start: compare changes from 2017 to "
    "2018 instead.":
        "Здесь сравниваются уровни 2018 г., в которые входит фора внедривших: сравните вместо них изменения с "
        "2017 по 2018 г.",
    "That uses every merchant that ever adopted: keep the merchants whose crm_adoption_year is 2018 (and "
    "the never-adopters) only.":
        "Здесь взяты все магазины, когда-либо внедрявшие CRM: оставьте только магазины с crm_adoption_year, "
        "равным 2018 (и никогда не внедрявшие).",
    # -- 2.5 -------------------------------------------------------------------------------------------------
    "Sum each member's 2024 orders first (one revenue per member), leave out declined orders only, and "
    "sort the revenues from smallest to largest before applying the formula.":
        "Сначала сложите заказы каждого участника за 2024 г. (одна выручка на участника), исключите только "
        "отклонённые заказы и перед применением формулы отсортируйте выручку от меньшей к большей.",
    "That keeps declined orders: leave them out.":
        "Здесь оставлены отклонённые заказы: исключите их.",
    "That uses every year: keep the orders of 2024 only.":
        "Здесь взяты все годы: оставьте только заказы 2024 г.",
    "That counts members with no order in 2024: include only the members who placed an order that year.":
        "Здесь учтены участники без заказов в 2024 г.: включите только тех, кто сделал заказ в этом году.",
    # -- 2.7 -------------------------------------------------------------------------------------------------
    "the lower end of a prediction interval, in percentage points (a single number)":
        "нижняя граница интервала прогноза, в процентных пунктах (одно число)",
    "Lift at 0.6 minus t times the square root of (its standard error squared plus tau squared), all as "
    "shares, then times 100.":
        "Прирост при 0,6 минус t, умноженное на квадратный корень из суммы квадрата его стандартной ошибки и "
        "квадрата tau; всё в долях, затем умножьте на 100.",
    "That is the lower end of the confidence interval for the average firm: add the spread of firms' own "
    "effects, tau, to the variance.":
        "Это нижняя граница доверительного интервала для средней фирмы: добавьте к дисперсии разброс "
        "собственных эффектов фирм, tau.",
    "That adds the standard error and tau: add their squares, then take the square root.":
        "Здесь сложены стандартная ошибка и tau: сложите их квадраты, затем извлеките квадратный корень.",
    # -- 2.8 -------------------------------------------------------------------------------------------------
    "an amount in RUB (a single number)":
        "сумма в рублях (одно число)",
    "(3 - 0.25) x E[max(posterior mean, 0)] - 200,000 - 3 x max(m, 0), with m and s from "
    "assess_crm_fit(..., firm_sd=spread); check against its pilot_net_rub with horizon_years=3, "
    "pilot_duration=0.25, pilot_sampling_sd_pp=0.8 and pilot_cost=200_000.":
        "(3 − 0,25) × E[max(апостериорное среднее, 0)] − 200\u00a0000 − 3 × max(m, 0), где m и s берутся из "
        "assess_crm_fit(..., firm_sd=spread); сверьтесь с его pilot_net_rub при horizon_years=3, "
        "pilot_duration=0.25, pilot_sampling_sd_pp=0.8 и pilot_cost=200_000.",
    "That is the pilot's expected value of information before its cost: subtract the 200,000 RUB it "
    "costs.":
        "Это ожидаемая ценность информации пилота до вычета его стоимости: вычтите 200\u00a0000 руб., которые "
        "он стоит.",
    "That values one year only, without the delay: the decision binds for three years, and the pilot "
    "takes a quarter of the first.":
        "Здесь оценён только один год и без задержки: решение действует три года, а пилот занимает четверть "
        "первого.",
    "That forgets the delay: after the pilot the firm has 3 - 0.25 years left, while deciding now is "
    "worth 3 years of max(m, 0).":
        "Здесь забыта задержка: после пилота у фирмы остаётся 3 − 0,25 года, а решение, принятое сейчас, "
        "стоит 3 года по max(m, 0).",
    "That uses the value of perfect information: a pilot measures the lift with noise, so use its EVSI "
    "(pilot_evsi_rub).":
        "Здесь взята ценность полной информации: пилот измеряет прирост с шумом, поэтому используйте его EVSI "
        "(pilot_evsi_rub).",
    "That treats the chain as the average firm: pass firm_sd=spread, so the belief about this one "
    "chain's lift includes the spread between firms.":
        "Здесь сеть рассматривается как средняя фирма: передайте firm_sd=spread, чтобы представление о "
        "приросте именно этой сети учитывало разброс между фирмами.",
    # -- 3.1 -------------------------------------------------------------------------------------------------
    "an average predicted uplift, as a share (0.01 = one percentage point)":
        "средний прогнозный аплифт, в долях (0,01 — один процентный пункт)",
    "Fit one logit on the personalised arm and one on the no-offer arm, predict both for every member, "
    "subtract (personalised minus no offer), then average among prior_orders >= 10.":
        "Оцените один логит на группе с персонализированным предложением и один — на группе без предложения, "
        "спрогнозируйте по обоим для каждого участника, вычтите (персонализированное минус без предложения) "
        "и усредните по участникам с prior_orders >= 10.",
    "Nearly: fit on all members of each arm (no split) with exactly log_orders and log_recency.":
        "Почти: оценивайте на всех участниках каждой группы (без разбиения) ровно с log_orders и log_recency.",
    "That is the difference the other way round: the personalised arm's model minus the no-offer arm's.":
        "Это разность в обратном порядке: модель группы с персонализированным предложением минус модель "
        "группы без предложения.",
    "That compares with the generic arm: fit the second model on the no-offer arm.":
        "Здесь сравнение с группой стандартного предложения: вторую модель оценивайте на группе без "
        "предложения.",
    "That averages over every member: keep those with prior_orders >= 10.":
        "Здесь усреднение по всем участникам: оставьте тех, у кого prior_orders >= 10.",
    "That is one pooled logit with an arm dummy: a T-learner fits a separate logit in each arm, so every "
    "coefficient may differ between them.":
        "Это один общий логит с фиктивной переменной группы: T-learner оценивает отдельный логит в каждой "
        "группе, так что любой коэффициент может различаться между группами.",
    # -- 3.2 -------------------------------------------------------------------------------------------------
    "a persuadable share between 0 and 1":
        "доля убеждаемых (от 0 до 1)",
    "Among members with weeks_since_last_order > 30, compute (p_personalised - p_none) / (1 - p_none).":
        "Среди участников с weeks_since_last_order > 30 вычислите (p_personalised − p_none) / (1 − p_none).",
    "Nearly: use > 30 (not >= 30), and the rates of the whole group in each arm.":
        "Почти: используйте > 30 (а не >= 30) и конверсию всей этой совокупности участников в каждой группе.",
    "That is the generic offer's share: use the personalised arm.":
        "Это доля для стандартного предложения: возьмите группу с персонализированным предложением.",
    "That is the lift itself: divide it by the share of members who did not convert without an offer (1 "
    "minus the no-offer rate).":
        "Это сам прирост: разделите его на долю участников, не совершивших покупку без предложения (1 минус "
        "конверсия в группе без предложения).",
    "That uses every member: keep only those with weeks_since_last_order > 30.":
        "Здесь взяты все участники: оставьте только тех, у кого weeks_since_last_order > 30.",
    # -- 3.3 -------------------------------------------------------------------------------------------------
    "the difference of two conversion rates, as a share":
        "разность двух конверсий, в долях",
    "Within the personalised arm only, take the conversion rate of clickers minus that of non-clickers, "
    "as a share between -1 and 1 (0.01 = one percentage point).":
        "Только внутри группы с персонализированным предложением возьмите конверсию кликнувших минус "
        "конверсию не кликнувших, в долях от −1 до 1 (0,01 — один процентный пункт).",
    "That is the difference the other way round: clickers' rate minus non-clickers' rate.":
        "Это разность в обратном порядке: конверсия кликнувших минус конверсия не кликнувших.",
    "That uses every arm: keep only the personalised arm.":
        "Здесь взяты все группы: оставьте только группу с персонализированным предложением.",
    # -- 3.4 -------------------------------------------------------------------------------------------------
    "a number of extra conversions (it need not be whole)":
        "число дополнительных конверсий (не обязательно целое)",
    "Keep the personalised and no-offer arms, sort by prior_spend (largest first), take 2,000 rows, then "
    "R_t - R_c * N_t / N_c.":
        "Оставьте группы с персонализированным предложением и без предложения, отсортируйте по prior_spend "
        "(от большего к меньшему), возьмите 2000 строк, затем R_t − R_c * N_t / N_c.",
    "That subtracts the control conversions unscaled: multiply R_c by N_t / N_c first.":
        "Здесь конверсии контрольной группы вычтены без масштабирования: сначала умножьте R_c на N_t / N_c.",
    "That ranks the smallest spenders first: sort by prior_spend, largest first.":
        "Здесь первыми идут участники с наименьшими расходами: сортируйте по prior_spend от большего к "
        "меньшему.",
    "That keeps the generic arm among the 2,000: keep only the personalised and no-offer arms before "
    "ranking.":
        "Здесь среди 2000 строк осталась группа стандартного предложения: перед ранжированием оставьте "
        "только группы с персонализированным предложением и без предложения.",
    # -- 3.7 -------------------------------------------------------------------------------------------------
    "a difference in RUB per member (a single number)":
        "разность в рублях на участника (одно число)",
    "Among members with prior_orders >= 5, the mean profit_before_send of the personalised arm minus "
    "that of the generic arm.":
        "Среди участников с prior_orders >= 5 — средний profit_before_send в группе с персонализированным "
        "предложением минус средний в группе со стандартным.",
    "That compares with the no-offer arm: the premium is personalised against generic.":
        "Здесь сравнение с группой без предложения: премия — это разница между персонализированным и "
        "стандартным предложением.",
    "That already deducts the 2 RUB extra cost: give the premium before it, then compare.":
        "Здесь уже вычтены дополнительные 2 руб. затрат: дайте премию до их вычета, а затем сравнивайте.",
    "That uses more than five orders: keep prior_orders >= 5.":
        "Здесь взяты участники с более чем пятью заказами: оставьте prior_orders >= 5.",
    # -- 3.8 -------------------------------------------------------------------------------------------------
    "a number of members per arm":
        "число участников в каждой группе",
    "n = 2 (z_0.975 + z_0.80)^2 sigma^2 / 1^2, with sigma^2 the mean of the variances of profit in the "
    "personalised and the generic arm.":
        "n = 2 (z_0.975 + z_0.80)^2 sigma^2 / 1^2, где sigma^2 — среднее дисперсий прибыли в группах с "
        "персонализированным и стандартным предложением.",
    "That uses the spread of profit over all three arms: use the average of the two offer arms' "
    "variances.":
        "Здесь взят разброс прибыли по всем трём группам: возьмите среднее дисперсий двух групп с "
        "предложениями.",
    "That leaves out the factor 2: two arms each add their variance to the difference.":
        "Здесь пропущен множитель 2: каждая из двух групп добавляет свою дисперсию к дисперсии разности.",
    # -- 4.1 -------------------------------------------------------------------------------------------------
    "a difference in engagement points (one number; negative if shared-desk agents score lower)":
        "разность в баллах вовлечённости (одно число; отрицательное, если у операторов за общим столом оценка "
        "ниже)",
    "Take the mean engagement of agents with a shared desk minus that of agents with their own desk, "
    "from the agents table (one row per agent).":
        "Возьмите среднюю вовлечённость операторов за общим столом минус среднюю у операторов с собственным "
        "рабочим местом, по таблице agents (одна строка на оператора).",
    "Nearly: use the unrounded means of the two groups.":
        "Почти: используйте неокруглённые средние двух групп.",
    "That is the difference the other way round: shared-desk agents' mean minus the others'.":
        "Это разность в обратном порядке: среднее у операторов за общим столом минус среднее у остальных.",
    "That weighs agents by their contacts: use the agents table, one row per agent.":
        "Здесь операторы взвешены по числу обращений: используйте таблицу agents, одна строка на оператора.",
    # -- 4.2 -------------------------------------------------------------------------------------------------
    "a number of training hours":
        "число часов обучения",
    "Divide the on-time-pay coefficient by the training coefficient (per hour), both from the same "
    "regression, drivers.":
        "Разделите коэффициент при своевременной выплате зарплаты на коэффициент обучения (за час); оба — из "
        "одной и той же регрессии drivers.",
    "That is the ratio the other way round: divide the coefficient of paid_on_time by that of "
    "training_hours.":
        "Это отношение в обратном порядке: разделите коэффициент paid_on_time на коэффициент training_hours.",
    # -- 4.3 -------------------------------------------------------------------------------------------------
    "a number of contacts":
        "число обращений",
    "Divide the number of contacts by the design effect, 1 + (m - 1) x ICC, with m the mean number of "
    "contacts per agent and the ICC of the model with all the terms (section 4.3).":
        "Разделите число обращений на эффект дизайна, 1 + (m − 1) × ICC, где m — среднее число обращений на "
        "оператора, а ICC — из модели со всеми переменными (раздел 4.3).",
    "That multiplies: divide the number of contacts by the design effect.":
        "Здесь умножение: разделите число обращений на эффект дизайна.",
    # -- 4.4 -------------------------------------------------------------------------------------------------
    "a CR0 standard error in CSAT points (one positive number, without the small-sample factor)":
        "стандартная ошибка CR0 в баллах CSAT (одно положительное число, без поправки на малую выборку)",
    "Sum the rows of X times their residuals within each agent (one vector s_g per agent), build the "
    "middle matrix from those sums, and take the square root of the empowered element of (X'X)^-1 M "
    "(X'X)^-1, without the small-sample factor.":
        "Сложите строки X, умноженные на их остатки, внутри каждого оператора (один вектор s_g на "
        "оператора), постройте из этих сумм среднюю матрицу и извлеките квадратный корень из элемента "
        "empowered матрицы (X'X)^-1 M (X'X)^-1, без поправки на малую выборку.",
    "Nearly: CR0 has no small-sample factor; check the residuals and the sums within agents.":
        "Почти: у CR0 нет поправки на малую выборку; проверьте остатки и суммы внутри операторов.",
    "That is the naive standard error, which treats every contact as independent: sum X_g' e_g within "
    "each agent before squaring.":
        "Это наивная стандартная ошибка, при которой все обращения считаются независимыми: сложите X_g' e_g "
        "внутри каждого оператора до возведения в квадрат.",
    "That is CR1, with the small-sample factor G/(G-1) x (N-1)/(N-K): the check asks for CR0, without it "
    "(apply the factor afterwards to compare).":
        "Это CR1, с поправкой на малую выборку G/(G-1) × (N-1)/(N-K): самопроверка ждёт CR0, без неё (для "
        "сравнения примените поправку потом).",
    "That is the variance, the diagonal element of V: take its square root.":
        "Это дисперсия, диагональный элемент V: извлеките из неё квадратный корень.",
    # -- 4.5 -------------------------------------------------------------------------------------------------
    "a change in percentage points (negative for a fall), e.g. -1.5":
        "изменение в процентных пунктах (отрицательное при снижении), например −1,5",
    "Raise engagement only for agents who are not paid on time now, by the on-time-pay coefficient of "
    "section 4.1, and give the change in the share of dissatisfied contacts, scenario minus 'as is', in "
    "percentage points.":
        "Поднимите вовлечённость только у операторов, которым сейчас платят не вовремя, на коэффициент при "
        "своевременной выплате зарплаты из раздела 4.1 и дайте изменение доли обращений с низкой оценкой, "
        "сценарий минус 'as is', в процентных пунктах.",
    "Nearly: give the point estimate (diff_share_dissatisfied) times 100.":
        "Почти: дайте точечную оценку (diff_share_dissatisfied), умноженную на 100.",
    "That is a change in shares: give it in percentage points (times 100).":
        "Это изменение в долях: дайте его в процентных пунктах (умножьте на 100).",
    "That is the change the other way round: give the scenario minus 'as is'.":
        "Это изменение в обратном порядке: дайте сценарий минус 'as is'.",
    # -- 4.7 -------------------------------------------------------------------------------------------------
    "a change in percentage points of the share of dissatisfied contacts, e.g. -5.0":
        "изменение доли обращений с низкой оценкой в процентных пунктах, например −5,0",
    "a is the empowered coefficient in engagement ~ empowered; b is the engagement coefficient in "
    "share_dissatisfied ~ empowered + engagement; both on per_agent, no covariates.":
        "a — коэффициент при empowered в engagement ~ empowered; b — коэффициент при engagement в "
        "share_dissatisfied ~ empowered + engagement; обе регрессии на per_agent, без ковариат.",
    "Your b comes from a regression of the outcome on engagement alone: hold empowerment fixed in the "
    "second regression.":
        "Ваш b получен из регрессии результата на одну лишь вовлечённость: во второй регрессии зафиксируйте "
        "делегирование полномочий.",
    "Your regressions hold pay, desk and training fixed, as section 4.4 does: this exercise asks for no "
    "covariates.":
        "Ваши регрессии фиксируют оплату, рабочее место и обучение, как в разделе 4.4: в этом упражнении "
        "ковариаты не нужны.",
    "That is a change in the share: give it in percentage points (times 100).":
        "Это изменение доли: дайте его в процентных пунктах (умножьте на 100).",
    "That is the indirect effect on mean CSAT: the outcome here is share_dissatisfied.":
        "Это косвенный эффект на средний CSAT: результат здесь — share_dissatisfied.",
    # -- 4.8 -------------------------------------------------------------------------------------------------
    "a whole number of agents in one arm":
        "целое число операторов в одной группе",
    "sigma is the pooled standard deviation of mean_csat within the two arms, among agents with fit == "
    "0; delta is 0.2, the smallest effect that would pay; z values 1.96 and 0.84; round up.":
        "sigma — объединённое стандартное отклонение mean_csat внутри двух групп среди операторов с fit == "
        "0; delta равно 0,2 — наименьший эффект, который окупился бы; значения z — 1,96 и 0,84; округлите "
        "вверх.",
    "That is both arms together: give the agents needed in one arm.":
        "Это обе группы вместе: дайте число операторов, нужное в одной группе.",
    "That uses a one-sided test: the question asks for a two-sided test at 5%, z = 1.96.":
        "Здесь односторонний тест: в вопросе нужен двусторонний тест на уровне 5\u00a0%, z = 1,96.",
    "The formula for a difference of two means has a factor 2.":
        "В формуле для разности двух средних есть множитель 2.",
    "That powers the pilot at the current estimate, -0.18: use delta = 0.2, the smallest effect that "
    "would pay.":
        "Здесь мощность пилота рассчитана для текущей оценки, −0,18: используйте delta = 0,2 — наименьший "
        "эффект, который окупился бы.",
    "That uses the spread of single ratings: sigma is the spread of agents' mean CSAT, among agents who "
    "fail a criterion.":
        "Здесь взят разброс отдельных оценок: sigma — это разброс средних CSAT операторов среди тех, кто не "
        "выполняет критерий.",
    # -- 5.1 -------------------------------------------------------------------------------------------------
    "the half-year retention rate (a share between 0 and 1)":
        "коэффициент удержания за полугодие (доля от 0 до 1)",
    "The base is every member with an order in January-June 2024, including those who ordered only once; "
    "a member counts as retained with one order or more in July-December.":
        "База — все участники с заказом в январе — июне 2024 г., включая заказавших лишь один раз; участник "
        "считается удержанным, если у него есть хотя бы один заказ в июле — декабре.",
    "Well done: compare it with the year-on-year rate; a shorter period keeps more members.":
        "Отлично: сравните его с годовым коэффициентом удержания; за более короткий период удерживается "
        "больше участников.",
    "That is the year-on-year rate: use the two halves of 2024.":
        "Это годовой коэффициент удержания: используйте два полугодия 2024 г.",
    # -- 5.2 -------------------------------------------------------------------------------------------------
    "a percentage change of CLV (a number such as 2.5 for 2.5%)":
        "изменение CLV в процентах (число, например 2,5 для 2,5\u00a0%)",
    "Compute the contractual CLV at 1.01 times the year-on-year retention and at the retention itself, "
    "with the 15% discount rate, and give the change in percent.":
        "Вычислите CLV в контрактной модели при годовом удержании, умноженном на 1,01, и при самом годовом "
        "удержании, со ставкой дисконтирования 15\u00a0%, и дайте изменение в процентах.",
    "Well done: the elasticity is (1 + d) / (1 + d - r), small when retention is low.":
        "Отлично: эластичность равна (1 + d) / (1 + d − r) и мала, когда удержание низкое.",
    "That raises retention by one percentage point: raise it by 1% of itself (multiply it by 1.01).":
        "Здесь удержание повышено на один процентный пункт: повысьте его на 1\u00a0% от него самого (умножьте "
        "на 1,01).",
    "That is the relative change: give it in percent (times 100).":
        "Это относительное изменение: дайте его в процентах (умножьте на 100).",
    # -- 5.3 -------------------------------------------------------------------------------------------------
    "the expected number of purchases of all members together (one number)":
        "ожидаемое число покупок всех участников вместе (одно число)",
    "The likely slips: the time unit (the summary's clock runs in weeks), a per-member average where the "
    "question asks for all members together, or multiplying by the probability of being alive a second "
    "time.":
        "Вероятные ошибки: единица времени (время в summary идёт в неделях), среднее на участника там, где "
        "вопрос обо всех участниках вместе, или повторное умножение на вероятность того, что клиент активен.",
    "That is one week: the model's time unit is the week, so ask for 52.":
        "Это прогноз на одну неделю: единица времени модели — неделя, поэтому задайте 52.",
    "That is the average member: add up over every member.":
        "Это прогноз для среднего участника: сложите прогнозы по всем участникам.",
    # -- 5.4 -------------------------------------------------------------------------------------------------
    "a survival probability (a share between 0 and 1)":
        "вероятность выживания (доля от 0 до 1)",
    "The likely slips: reading the curve of all members instead of the referral channel's, or reading it "
    "at a week other than 13 (the printed table shows 0, 26 and 52).":
        "Вероятные ошибки: взять кривую всех участников вместо кривой канала 'referral' или читать её не на "
        "13-й неделе (в выведенной таблице — недели 0, 26 и 52).",
    "That is the curve at 26 weeks, a value the table prints: read it at 13.":
        "Это значение кривой на 26-й неделе, которое есть в выведенной таблице: возьмите значение на 13-й.",
    "That is the curve of all members: read the referral channel's.":
        "Это кривая всех участников: возьмите кривую канала 'referral'.",
    # -- 5.5 -------------------------------------------------------------------------------------------------
    "a campaign effect in RUB per targeted member per campaign (one number)":
        "эффект кампании в рублях на одного адресата за кампанию (одно число)",
    "Keep the 15% discount rate and every cost in costs, run five years, and ask break_even() for "
    "'campaign_lift' (RUB per targeted member per campaign), not for a yearly total.":
        "Сохраните ставку дисконтирования 15\u00a0% и все затраты из costs, возьмите пять лет и запросите у "
        "break_even() 'campaign_lift' (руб. на адресата за кампанию), а не годовую сумму.",
    "Well done: decide on the expected value, comparing the bar with the point estimate of what the "
    "co-funded offer earns (lift_b); its 95% interval measures the risk and the value of more evidence, "
    "not the decision.":
        "Отлично: решайте по ожидаемому значению, сравнивая планку с точечной оценкой того, что приносит "
        "софинансируемое предложение (lift_b); его 95-процентный интервал измеряет риск и ценность "
        "дополнительных данных, а не решение.",
    "That is the three-year answer: run the programme for five years (horizon=5).":
        "Это ответ для трёх лет: рассчитайте программу на пять лет (horizon=5).",
    # -- 5.7 -------------------------------------------------------------------------------------------------
    "a log-likelihood (a negative number)":
        "логарифм правдоподобия (отрицательное число)",
    "Check your function first: its sum over summary must equal purchases_all.log_likelihood_. The usual "
    "slips are T instead of t_x in the second term, and computing in levels, which underflows for a "
    "heavy buyer.":
        "Сначала проверьте свою функцию: её сумма по summary должна равняться purchases_all.log_likelihood_. "
        "Обычные ошибки — T вместо t_x во втором слагаемом и вычисления не в логарифмах, а в исходных "
        "величинах: для очень активного покупателя они дают машинный ноль (underflow).",
    "That is the first term alone: the heaviest buyer has repeat purchases, so add the term for having "
    "dropped out after the last one (np.logaddexp of the two log terms).":
        "Это только первое слагаемое: у самого активного покупателя есть повторные покупки, поэтому добавьте "
        "слагаемое для ухода после последней из них (np.logaddexp двух логарифмических слагаемых).",
    # -- 5.8 -------------------------------------------------------------------------------------------------
    "a log hazard ratio (a number near 0)":
        "логарифм отношения рисков (число около 0)",
    "The likely slip is the filter: 'still followed after week 13' is not 'ordered again', and shifting "
    "the clock changes the question. Give the coefficient, not the hazard ratio.":
        "Вероятная ошибка — в фильтре: «ещё наблюдается после 13-й недели» — не то же, что «заказал снова», "
        "а сдвиг начала отсчёта меняет вопрос. Дайте коэффициент, а не отношение рисков.",
    "That keeps every member who ordered again (duration > 0): keep those still followed after week 13 "
    "(duration > 13).":
        "Здесь оставлены все участники, заказавшие снова (duration > 0): оставьте тех, кто ещё наблюдается "
        "после 13-й недели (duration > 13).",
    "That is the hazard ratio: give its log, the model's coefficient (log_hr).":
        "Это отношение рисков: дайте его логарифм, коэффициент модели (log_hr).",
    # -- 5.9 -------------------------------------------------------------------------------------------------
    "a maximised log-likelihood (a negative number)":
        "максимизированный логарифм правдоподобия (отрицательное число)",
    "Fit clv.ParetoNBDFitter() on calibration (not on summary: likelihoods compare only on the same "
    "members) and read its log_likelihood_.":
        "Оцените clv.ParetoNBDFitter() на calibration (не на summary: правдоподобия сравнимы только на одних "
        "и тех же участниках) и прочитайте его log_likelihood_.",
    "That is the BG/NBD's log-likelihood: fit clv.ParetoNBDFitter.":
        "Это логарифм правдоподобия BG/NBD: оцените clv.ParetoNBDFitter.",
    # -- 5.10 ------------------------------------------------------------------------------------------------
    "a correlation (a number between -1 and 1)":
        "корреляция (число от −1 до 1)",
    "The likely slips: keeping the members who did not lapse (their residuals are NaN), or taking times "
    "from a different table than the one the model was fitted on (cox.model.endog).":
        "Вероятные ошибки: оставить участников, которые не ушли (их остатки — NaN), или взять время не из "
        "той таблицы, на которой оценена модель (cox.model.endog).",
    "That is the correlation with the rank of time, the test's rho: now use the lapse times themselves.":
        "Это корреляция с рангом времени, rho из теста: теперь используйте сами времена ухода.",
    # -- 6.1 -------------------------------------------------------------------------------------------------
    "a probability (a share between 0 and 1)":
        "вероятность (доля от 0 до 1)",
    "In each draw of case.draws add pv_personalisation and pv_retention, and give the share of draws in "
    "which the sum is below zero, as a probability.":
        "В каждой симуляции из case.draws сложите pv_personalisation и pv_retention и дайте долю симуляций, в "
        "которых сумма ниже нуля, как вероятность.",
    "Well done. Compare it with the probability of a loss: the gap between the two is what the costs "
    "alone decide.":
        "Отлично. Сравните её с вероятностью убытка: разница между ними — то, что решают одни лишь затраты.",
    "That is the probability that the NPV is negative, costs included: add up only the two benefits, "
    "pv_personalisation and pv_retention.":
        "Это вероятность отрицательной NPV с учётом затрат: сложите только две выгоды, pv_personalisation и "
        "pv_retention.",
    "That is the probability that the benefits are positive: give the share of draws in which they are "
    "negative.":
        "Это вероятность того, что выгоды положительны: дайте долю симуляций, в которых они отрицательны.",
    # -- 6.2 -------------------------------------------------------------------------------------------------
    "a mean NPV in RUB (a single, probably negative, number)":
        "средняя NPV в рублях (одно число, вероятно, отрицательное)",
    "Change only merchants_fund_bonus to True (replace(assumptions, merchants_fund_bonus=True)), keep "
    "the default rng, and give the mean NPV of the proposed programme with its sign.":
        "Измените только merchants_fund_bonus на True (replace(assumptions, merchants_fund_bonus=True)), "
        "оставьте rng по умолчанию и дайте среднюю NPV предлагаемой программы со знаком.",
    "Nearly: use board_case(tables, assumptions=...) with the default rng, so that the draws are the "
    "notebook's.":
        "Почти: используйте board_case(tables, assumptions=...) с rng по умолчанию, чтобы симуляции совпали с "
        "симуляциями блокнота.",
    "That is the mean NPV with Kopilka paying the bonus: set merchants_fund_bonus=True.":
        "Это средняя NPV, когда бонус платит Копилка: задайте merchants_fund_bonus=True.",
    # -- 6.3 -------------------------------------------------------------------------------------------------
    "a share of the active campaign members (between 0 and 1)":
        "доля активных участников кампании (от 0 до 1)",
    "Lower the cost of sending a personalised offer (send_cost=1.0), keep Kopilka paying the bonus, and "
    "read figures['share_targeted'].":
        "Снизьте стоимость отправки персонализированного предложения (send_cost=1.0), оставьте выплату "
        "бонуса за Копилкой и прочитайте figures['share_targeted'].",
    "That is the share at the current cost: set send_cost=1.0.":
        "Это доля при текущей стоимости: задайте send_cost=1.0.",
    "That also lets the merchants pay the bonus: change only send_cost.":
        "Здесь бонус к тому же платят магазины-партнёры: измените только send_cost.",
    # -- 6.4 -------------------------------------------------------------------------------------------------
    "one label of case.staff, in quotes":
        "одна метка из case.staff, в кавычках",
    "Not this one: divide each lever's csat_gain by its annual_cost and take the largest.":
        "Не этот вариант: разделите csat_gain каждой меры на её annual_cost и возьмите наибольшее.",
    "Not this one: a lever that reaches every agent has a large gain, but divide each lever's csat_gain "
    "by its annual_cost before comparing.":
        "Не этот вариант: у меры, охватывающей всех операторов, прирост большой, но перед сравнением "
        "разделите csat_gain каждой меры на её annual_cost.",
    "Not this one: compare csat_gain per rouble of annual_cost, not csat_gain alone.":
        "Не этот вариант: сравнивайте csat_gain на рубль annual_cost, а не один csat_gain.",
    # -- 6.5 -------------------------------------------------------------------------------------------------
    "a mean NPV in RUB (a single number)":
        "средняя NPV в рублях (одно число)",
    "Change both assumptions, merchants_fund_bonus=True and send_cost=1.0, and read figures['mean_npv'].":
        "Измените обе предпосылки, merchants_fund_bonus=True и send_cost=1.0, и прочитайте "
        "figures['mean_npv'].",
    "That changes only who pays the bonus: also set send_cost=1.0.":
        "Здесь изменено только то, кто платит бонус: задайте ещё send_cost=1.0.",
    "That changes only the sending cost: also set merchants_fund_bonus=True.":
        "Здесь изменена только стоимость отправки: задайте ещё merchants_fund_bonus=True.",
}
