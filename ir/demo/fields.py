"""Subject fields of the demo institution: categories, index coverage, and vocabulary for titles.

Every department belongs to one field; a field decides which journals its people publish in, which
WoS/ESI/CAS categories those journals carry, whether Ei Compendex indexes them, and the words their
titles are made of. Vocabulary entries are "English|中文" pairs, so that a Chinese paper's title and its
translated English title say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    wos_categories: tuple[str, ...]
    research_area: str  # WoS SC
    esi: str  # one of ESI's 22 fields
    cas: str  # CAS (中科院分区) major category
    edition: str  # SCIE or SSCI
    ei_codes: tuple[str, ...]  # empty: Compendex does not cover the field
    cn_class: str  # the letter suffix of a CN number (中图分类)
    journal_topics: tuple[str, ...]  # for inventing English journal titles
    zh_journals: tuple[str, ...]  # "中文刊名|English title"
    english_cn_journal: str  # an English-language journal published in China
    cssci: bool  # social sciences: CSSCI rather than CSCD
    objects: tuple[str, ...]
    methods: tuple[str, ...]
    goals: tuple[str, ...]
    properties: tuple[str, ...]


def _t(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(";") if p.strip())


FIELDS: dict[str, Field] = {f.key: f for f in (
    Field("chem", ("Engineering, Chemical", "Chemistry, Physical"), "Engineering; Chemistry", "Chemistry", "化学",
          "SCIE", ("802.2 Chemical Reactions", "803 Chemical Agents and Basic Industrial Chemicals",
                   "804 Chemical Products Generally"), "TQ",
          _t("Chemical Engineering; Process Chemistry; Catalysis Science; Separation Technology; Fine Chemicals"),
          _t("现代化工学报|Journal of Modern Chemical Engineering; 精细化工研究|Fine Chemical Research"),
          "Chinese Journal of Process Chemistry", False,
          _t("CO<sub>2</sub> capture sorbents|CO<sub>2</sub>捕集吸附剂; ZIF-8 membranes|ZIF-8膜; "
             "Pd/Al<sub>2</sub>O<sub>3</sub> catalysts|Pd/Al<sub>2</sub>O<sub>3</sub>催化剂; ionic liquids|离子液体; "
             "γ-valerolactone|γ-戊内酯; deep eutectic solvents|低共熔溶剂; zeolite H-ZSM-5|H-ZSM-5分子筛; "
             "biomass-derived carbon|生物质炭; Cu-based metal-organic frameworks|铜基金属有机骨架; "
             "β-cyclodextrin polymers|β-环糊精聚合物"),
          _t("hydrothermal synthesis|水热合成; microwave-assisted preparation|微波辅助制备; "
             "density functional theory calculations|密度泛函理论计算; continuous-flow reactors|连续流反应器; "
             "in situ DRIFTS|原位漫反射红外光谱; process simulation|过程模拟"),
          _t("selective hydrogenation|选择性加氢; olefin/paraffin separation|烯烃/烷烃分离; "
             "oxidative desulfurization|氧化脱硫; hydrogen production|制氢; wastewater treatment|废水处理; "
             "CO<sub>2</sub> conversion|CO<sub>2</sub>转化"),
          _t("catalytic activity|催化活性; adsorption capacity|吸附容量; selectivity|选择性; stability|稳定性")),
    Field("mat", ("Materials Science, Multidisciplinary", "Nanoscience & Nanotechnology"), "Materials Science",
          "Materials Science", "材料科学", "SCIE", ("951 Materials Science", "761 Nanotechnology", "531 Metallurgy"),
          "TB", _t("Materials Science; Nanomaterials; Functional Materials; Alloys and Compounds; Surface Engineering"),
          _t("材料工程学报|Journal of Materials Engineering; 功能材料与器件|Functional Materials and Devices"),
          "Chinese Journal of Marine Materials", False,
          _t("α-Fe<sub>2</sub>O<sub>3</sub> nanorods|α-Fe<sub>2</sub>O<sub>3</sub>纳米棒; TiO<sub>2</sub> nanotube arrays|TiO<sub>2</sub>纳米管阵列; "
             "high-entropy alloys|高熵合金; MXene films|MXene薄膜; perovskite thin films|钙钛矿薄膜; "
             "graphene aerogels|石墨烯气凝胶; Mg alloys|镁合金; Ni-rich cathodes|高镍正极材料; "
             "SiC ceramics|碳化硅陶瓷; epoxy coatings|环氧涂层"),
          _t("laser cladding|激光熔覆; electrospinning|静电纺丝; spark plasma sintering|放电等离子烧结; "
             "atomic layer deposition|原子层沉积; sol-gel processing|溶胶-凝胶法; heat treatment|热处理"),
          _t("marine corrosion protection|海洋防腐; lithium-ion batteries|锂离子电池; photocatalysis|光催化; "
             "supercapacitors|超级电容器; electromagnetic shielding|电磁屏蔽; wear resistance|耐磨"),
          _t("corrosion resistance|耐腐蚀性能; mechanical properties|力学性能; microstructure|显微组织; "
             "electrochemical performance|电化学性能")),
    Field("mech", ("Engineering, Mechanical", "Thermodynamics"), "Engineering; Thermodynamics", "Engineering",
          "工程技术", "SCIE", ("601 Mechanical Design", "641.1 Thermodynamics", "931.1 Mechanics"), "TH",
          _t("Mechanical Engineering; Thermal Science; Tribology; Manufacturing Processes; Vibration and Control"),
          _t("机械设计与制造学报|Journal of Mechanical Design and Manufacturing; 热能动力工程|Thermal Power Engineering"),
          "Chinese Journal of Ocean Machinery", False,
          _t("rolling bearings|滚动轴承; gear transmission systems|齿轮传动系统; plate heat exchangers|板式换热器; "
             "marine diesel engines|船用柴油机; hydraulic actuators|液压作动器; micro-channel heat sinks|微通道热沉; "
             "additively manufactured lattices|增材制造点阵结构; wind turbine blades|风力机叶片"),
          _t("finite element analysis|有限元分析; deep transfer learning|深度迁移学习; "
             "experimental investigation|实验研究; topology optimization|拓扑优化; "
             "computational fluid dynamics|计算流体力学; vibration signal analysis|振动信号分析"),
          _t("fault diagnosis|故障诊断; heat transfer enhancement|强化传热; fatigue life prediction|疲劳寿命预测; "
             "noise reduction|降噪; energy saving|节能"),
          _t("heat transfer|传热性能; dynamic response|动态响应; fatigue strength|疲劳强度; efficiency|效率")),
    Field("cs", ("Computer Science, Artificial Intelligence", "Computer Science, Information Systems"),
          "Computer Science", "Computer Science", "计算机科学", "SCIE",
          ("723.4 Artificial Intelligence", "723.5 Computer Applications", "722.3 Data Communication, Equipment and Techniques"),
          "TP", _t("Intelligent Systems; Information Sciences; Pattern Recognition; Computer Networks; Knowledge-Based Systems"),
          _t("计算机工程与应用研究|Computer Engineering and Applications Research; 软件技术学报|Journal of Software Technology"),
          "Chinese Journal of Intelligent Computing", False,
          _t("graph neural networks|图神经网络; vision transformers|视觉Transformer; federated learning|联邦学习; "
             "knowledge graphs|知识图谱; edge computing systems|边缘计算系统; large language models|大语言模型; "
             "spiking neural networks|脉冲神经网络; blockchain|区块链"),
          _t("contrastive learning|对比学习; attention mechanisms|注意力机制; reinforcement learning|强化学习; "
             "multi-scale feature fusion|多尺度特征融合; knowledge distillation|知识蒸馏"),
          _t("ship detection in SAR images|SAR图像舰船检测; traffic flow forecasting|交通流预测; "
             "intrusion detection|入侵检测; medical image segmentation|医学图像分割; recommendation|推荐"),
          _t("accuracy|准确率; robustness|鲁棒性; efficiency|效率; privacy|隐私性")),
    Field("ee", ("Engineering, Electrical & Electronic", "Energy & Fuels"), "Engineering; Energy & Fuels",
          "Engineering", "工程技术", "SCIE", ("701.1 Electricity: Basic Concepts and Phenomena",
                                            "706.1 Electric Power Systems", "702.1 Electric Batteries"), "TM",
          _t("Power Systems; Electrical Engineering; Power Electronics; Energy Conversion; Smart Grid"),
          _t("电力系统与自动化|Power System and Automation; 电工技术研究|Electrical Engineering Research"),
          "Chinese Journal of Electrical Energy", False,
          _t("offshore wind farms|海上风电场; grid-forming inverters|构网型逆变器; lithium-ion battery packs|锂离子电池组; "
             "DC microgrids|直流微电网; permanent magnet synchronous motors|永磁同步电机; "
             "hybrid energy storage systems|混合储能系统"),
          _t("model predictive control|模型预测控制; sliding mode control|滑模控制; "
             "state of charge estimation|荷电状态估计; robust optimization|鲁棒优化; impedance modeling|阻抗建模"),
          _t("frequency regulation|调频; fault ride-through|故障穿越; optimal dispatch|优化调度; "
             "harmonic suppression|谐波抑制; stability analysis|稳定性分析"),
          _t("stability|稳定性; efficiency|效率; power quality|电能质量; reliability|可靠性")),
    Field("civil", ("Engineering, Civil", "Construction & Building Technology"), "Engineering; Construction & Building Technology",
          "Engineering", "工程技术", "SCIE", ("402 Buildings and Towers", "412 Concrete", "483 Soil Mechanics and Foundations"),
          "TU", _t("Structural Engineering; Construction Materials; Geotechnical Engineering; Tunnelling; Building Engineering"),
          _t("土木建筑学报|Journal of Civil Architecture; 岩土力学与工程|Geomechanics and Engineering"),
          "Chinese Journal of Coastal Engineering", False,
          _t("seawater sea-sand concrete|海水海砂混凝土; steel-concrete composite beams|钢-混凝土组合梁; "
             "soft clay foundations|软土地基; shield tunnels|盾构隧道; cross-sea bridges|跨海桥梁; "
             "geopolymer mortar|地聚合物砂浆; CFRP-strengthened columns|CFRP加固柱"),
          _t("numerical simulation|数值模拟; shaking table tests|振动台试验; field monitoring|现场监测; "
             "machine learning|机器学习; discrete element modelling|离散元模拟"),
          _t("seismic performance|抗震性能; chloride resistance|抗氯离子侵蚀; settlement control|沉降控制; "
             "durability assessment|耐久性评估; crack detection|裂缝检测"),
          _t("bearing capacity|承载力; durability|耐久性; deformation|变形; compressive strength|抗压强度")),
    Field("env", ("Environmental Sciences", "Engineering, Environmental"), "Environmental Sciences & Ecology; Engineering",
          "Environment/Ecology", "环境科学与生态学", "SCIE",
          ("451 Air Pollution", "452 Sewage and Industrial Wastes Cleaning", "453 Water Pollution"), "X",
          _t("Environmental Science; Water Research; Environmental Management; Cleaner Production; Pollution Control"),
          _t("环境科学学报|Acta Environmental Science; 水处理技术进展|Progress in Water Treatment Technology"),
          "Chinese Journal of Environmental Processes", False,
          _t("microplastics|微塑料; antibiotics in aquaculture effluent|养殖废水中的抗生素; PM<sub>2.5</sub>|PM<sub>2.5</sub>; "
             "heavy metals in sediments|沉积物重金属; constructed wetlands|人工湿地; "
             "biochar-supported nZVI|生物炭负载纳米零价铁; anammox granules|厌氧氨氧化颗粒污泥"),
          _t("persulfate activation|过硫酸盐活化; source apportionment|源解析; metagenomic analysis|宏基因组分析; "
             "life cycle assessment|生命周期评价; adsorption|吸附"),
          _t("removal|去除; risk assessment|风险评估; nitrogen removal|脱氮; degradation|降解; "
             "emission reduction|减排"),
          _t("removal efficiency|去除效率; toxicity|毒性; spatial distribution|空间分布; kinetics|动力学")),
    Field("marine", ("Oceanography", "Engineering, Ocean"), "Oceanography; Engineering", "Geosciences", "地球科学",
          "SCIE", ("471 Marine Science and Oceanography", "674 Small Craft and Other Marine Craft"), "P",
          _t("Ocean Engineering; Marine Science; Coastal Research; Ocean Dynamics; Marine Geology"),
          _t("海洋科学进展|Advances in Marine Science; 海洋工程学报|Journal of Ocean Engineering"),
          "Chinese Journal of Oceanic Research", False,
          _t("Yellow Sea Cold Water Mass|黄海冷水团; Kuroshio intrusion|黑潮入侵; floating offshore wind turbines|漂浮式海上风机; "
             "autonomous underwater vehicles|自主水下航行器; internal solitary waves|内孤立波; "
             "Jiaozhou Bay sediments|胶州湾沉积物; green tide Ulva prolifera|浒苔绿潮"),
          _t("numerical modelling|数值模拟; satellite remote sensing|卫星遥感; mooring observations|锚系观测; "
             "wave tank experiments|水池试验; data assimilation|资料同化"),
          _t("seasonal variability|季节变化; motion response|运动响应; path planning|路径规划; "
             "sediment transport|泥沙输运; early warning|预警"),
          _t("variability|变化特征; dynamics|动力过程; response|响应; distribution|分布")),
    Field("econ", ("Economics", "Management"), "Business & Economics", "Economics & Business", "经济学", "SSCI",
          (), "F", _t("Economics; Management Science; Regional Studies; Finance; Business Research"),
          _t("经济管理研究|Economic Management Research; 海洋经济评论|Marine Economy Review"),
          "China Economic Studies", True,
          _t("digital finance|数字金融; green innovation|绿色创新; the marine economy|海洋经济; "
             "carbon emissions trading|碳排放权交易; rural revitalization|乡村振兴; supply chain resilience|供应链韧性; "
             "ESG disclosure|ESG信息披露"),
          _t("difference-in-differences|双重差分; spatial econometrics|空间计量; panel threshold models|面板门槛模型; "
             "evolutionary game analysis|演化博弈分析; text analysis|文本分析"),
          _t("high-quality development|高质量发展; corporate performance|企业绩效; regional disparity|区域差异; "
             "policy evaluation|政策评估; total factor productivity|全要素生产率"),
          _t("impact|影响; mechanism|作用机制; efficiency|效率; heterogeneity|异质性")),
    Field("math", ("Mathematics, Applied", "Mathematics"), "Mathematics", "Mathematics", "数学", "SCIE",
          ("921 Mathematics", "922 Statistical Methods"), "O1",
          _t("Applied Mathematics; Mathematical Analysis; Computational Mathematics; Nonlinear Science; Statistics"),
          _t("应用数学学报|Acta Applied Mathematics; 计算数学研究|Computational Mathematics Research"),
          "Chinese Journal of Applied Analysis", False,
          _t("fractional differential equations|分数阶微分方程; stochastic delay systems|随机时滞系统; "
             "Kirchhoff-type problems|Kirchhoff型问题; high-dimensional covariance matrices|高维协方差矩阵; "
             "reaction-diffusion models|反应扩散模型; Navier-Stokes equations|Navier-Stokes方程"),
          _t("variational methods|变分方法; spectral methods|谱方法; Lyapunov functionals|Lyapunov泛函; "
             "Bayesian inference|贝叶斯推断; finite volume schemes|有限体积格式"),
          _t("existence of solutions|解的存在性; stability|稳定性; error estimates|误差估计; "
             "parameter estimation|参数估计; bifurcation|分岔"),
          _t("existence|存在性; convergence|收敛性; uniqueness|唯一性; optimality|最优性")),
    Field("phys", ("Physics, Applied", "Optics"), "Physics; Optics", "Physics", "物理与天体物理", "SCIE",
          ("741.1 Light/Optics", "931.3 Atomic and Molecular Physics"), "O4",
          _t("Applied Physics; Optics; Photonics; Condensed Matter; Laser Technology"),
          _t("物理学进展|Progress in Physics Research; 光学技术学报|Journal of Optical Technology"),
          "Chinese Journal of Photonics", False,
          _t("metasurfaces|超表面; whispering-gallery-mode microresonators|回音壁模式微腔; 2D MoS<sub>2</sub>|二维MoS<sub>2</sub>; "
             "femtosecond lasers|飞秒激光; topological photonic crystals|拓扑光子晶体; Er<sup>3+</sup>-doped fibers|Er<sup>3+</sup>掺杂光纤"),
          _t("first-principles calculations|第一性原理计算; FDTD simulations|时域有限差分模拟; "
             "pump-probe spectroscopy|泵浦-探测光谱; nonlinear optical measurements|非线性光学测量"),
          _t("optical sensing|光学传感; beam shaping|光束整形; ultrafast switching|超快光开关; "
             "light harvesting|光捕获"),
          _t("band structure|能带结构; quality factor|品质因子; nonlinearity|非线性; sensitivity|灵敏度")),
    Field("life", ("Biochemistry & Molecular Biology", "Microbiology"), "Biochemistry & Molecular Biology; Microbiology",
          "Biology & Biochemistry", "生物学", "SCIE", ("461.9 Biology", "801.2 Biochemistry"), "Q",
          _t("Molecular Biology; Microbiology; Biotechnology; Marine Biology; Cell Research"),
          _t("生物工程研究|Bioengineering Research; 微生物学通讯|Microbiology Communications"),
          "Chinese Journal of Marine Biotechnology", False,
          _t("marine Bacillus strains|海洋芽孢杆菌; sea cucumber polysaccharides|海参多糖; CRISPR-Cas9 editing|CRISPR-Cas9编辑; "
             "alginate lyases|褐藻胶裂解酶; gut microbiota|肠道菌群; antimicrobial peptides|抗菌肽"),
          _t("transcriptome analysis|转录组分析; heterologous expression|异源表达; molecular docking|分子对接; "
             "metabolomics|代谢组学; directed evolution|定向进化"),
          _t("enzyme thermostability|酶热稳定性; immune regulation|免疫调节; biosynthesis|生物合成; "
             "stress tolerance|抗逆性"),
          _t("activity|活性; expression|表达; function|功能; yield|产量")),
    Field("lang", ("Linguistics", "Education & Educational Research"), "Linguistics; Education & Educational Research",
          "Social Sciences, General", "教育学", "SSCI", (), "H",
          _t("Applied Linguistics; Language Teaching; Translation Studies; Discourse Studies; Second Language Research"),
          _t("外语教学研究|Foreign Language Teaching Research; 翻译学刊|Translation Journal"),
          "Chinese Journal of Applied Linguistics Studies", True,
          _t("college English writing|大学英语写作; EFL learners' motivation|英语学习者动机; "
             "machine translation post-editing|机器翻译译后编辑; academic discourse|学术语篇; "
             "classroom feedback|课堂反馈; corpus of learner English|学习者英语语料库"),
          _t("corpus analysis|语料库分析; mixed-methods research|混合方法研究; "
             "eye-tracking|眼动追踪; structural equation modelling|结构方程模型"),
          _t("teaching reform|教学改革; language proficiency|语言能力; engagement|投入; "
             "intercultural competence|跨文化能力"),
          _t("effect|效果; development|发展; features|特征; relationship|关系")),
    Field("med", ("Cardiac & Cardiovascular Systems", "Oncology"), "Cardiovascular System & Cardiology; Oncology",
          "Clinical Medicine", "医学", "SCIE", ("461.6 Medicine and Pharmacology",), "R",
          _t("Cardiology; Clinical Oncology; Clinical Medicine; Translational Medicine; Cancer Research"),
          _t("临床心血管病杂志|Journal of Clinical Cardiology; 肿瘤防治研究进展|Progress in Cancer Prevention"),
          "Chinese Journal of Coastal Medicine", False,
          _t("acute myocardial infarction|急性心肌梗死; atrial fibrillation|心房颤动; hepatocellular carcinoma|肝细胞癌; "
             "non-small cell lung cancer|非小细胞肺癌; heart failure with preserved ejection fraction|射血分数保留的心力衰竭; "
             "PD-1 inhibitors|PD-1抑制剂"),
          _t("statin therapy|他汀治疗; immunotherapy|免疫治疗; radiofrequency ablation|射频消融; "
             "single-cell RNA sequencing|单细胞RNA测序; machine learning models|机器学习模型"),
          _t("prognosis|预后; risk prediction|风险预测; drug resistance|耐药; early diagnosis|早期诊断"),
          _t("survival|生存; efficacy|疗效; safety|安全性; incidence|发病率")),
)}
