"""The deterministic rules engine (offline default, baseline, and the cost saver of `auto` mode).

One module per task, wired together by engine.RulesEngine:
- meta: department, region, fiscal year, report type, report date, 预算编码 from the cover and title;
- budget: staffing (编制/实有, summed over kinds of posts) and the department's budget figures;
- three_public: 三公经费 from narrative sentences, the 三公 table or a basic-data form;
- evaluation: 自评总分 and grade;
- statements: 决算/预算 statement tables mapped from their grids and read by table_reader;
- indicators: 一级/二级/三级指标 tables, OCR row shifts repaired before reading;
- projects: 项目支出绩效自评表 (summary numbers, 总分, indicator rows);
- problems: 存在的问题 / 改进措施 points;
- text: the pattern search with evidence that the narrative rules share.
"""
